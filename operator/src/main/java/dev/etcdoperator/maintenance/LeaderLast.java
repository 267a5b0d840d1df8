package dev.etcdoperator.maintenance;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Whose turn it is when members are worked on one at a time: followers first (by name), the leader last, and the
 * leader only once leadership has moved to another voter, preferably one already done. A member that blocks while
 * leading stalls every write of the cluster; a follower stalls only its own clients.
 */
final class LeaderLast {
  /** The next member's turn. */
  sealed interface Turn {
    record Go(MemberUsage member) implements Turn {}

    record HandOver(MemberUsage from, MemberUsage to) implements Turn {}
  }

  private LeaderLast() {}

  /** @param remaining members still to do, non-empty; @param voters all voting members; @param done those done */
  static Turn next(List<MemberUsage> remaining, List<MemberUsage> voters, Optional<Long> leaderId,
      Collection<String> done) {
    MemberUsage next = remaining.stream()
        .min(Comparator.comparing((MemberUsage m) -> leaderId.map(l -> l == m.id()).orElse(false))
            .thenComparing(MemberUsage::name)).orElseThrow();
    if (leaderId.map(l -> l == next.id()).orElse(false) && voters.size() > 1) {
      MemberUsage transferee = voters.stream().filter(m -> m.id() != next.id())
          .min(Comparator.comparing((MemberUsage m) -> !done.contains(m.name())).thenComparing(MemberUsage::name))
          .orElseThrow();
      return new Turn.HandOver(next, transferee);
    }
    return new Turn.Go(next);
  }
}
