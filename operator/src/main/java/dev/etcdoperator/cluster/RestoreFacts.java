package dev.etcdoperator.cluster;

import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A restore under way: each initial member's restore, and the snapshot, resolved only while some member has not
 * started (once all have, looking at the store again would tell nothing new).
 */
record RestoreFacts(SortedMap<Integer, MemberRestore> members, Optional<RestoreSource> source) {
  RestoreFacts {
    members = new TreeMap<>(members);
  }

  boolean allRestored() {
    return members.values().stream().allMatch(m -> m instanceof MemberRestore.Succeeded);
  }

  boolean anyNotStarted() {
    return members.values().stream().anyMatch(m -> m instanceof MemberRestore.NotStarted);
  }

  static RestoreFacts of(Map<Integer, MemberRestore> members, Optional<RestoreSource> source) {
    return new RestoreFacts(new TreeMap<>(members), source);
  }
}
