package dev.etcdoperator.cluster.restore;

import dev.etcdoperator.cluster.model.RestoreSource;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A restore under way: each initial member's restore, and the snapshot, resolved only while some member has not
 * started (once all have, looking at the store again would tell nothing new).
 */
public record RestoreFacts(Map<Integer, MemberRestore> members, Optional<RestoreSource> source) {
  /** Members in ordinal order. */
  public RestoreFacts {
    members = Collections.unmodifiableSortedMap(new TreeMap<>(members));
  }

  public boolean allRestored() {
    return members.values().stream().allMatch(m -> m instanceof MemberRestore.Succeeded);
  }
}
