package dev.etcdoperator.cluster;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A restore under way: each initial member's restore, and the snapshot, resolved only while some member has not
 * started (once all have, looking at the store again would tell nothing new).
 */
record RestoreFacts(Map<Integer, MemberRestore> members, Optional<RestoreSource> source) {
  /** Members in ordinal order. */
  RestoreFacts {
    members = Collections.unmodifiableSortedMap(new TreeMap<>(members));
  }

  boolean allRestored() {
    return members.values().stream().allMatch(m -> m instanceof MemberRestore.Succeeded);
  }
}
