package dev.etcdoperator.cluster.model;

import java.net.URI;
import java.util.List;

/** One change to etcd's membership, or to what a membership change leaves behind (GUIDE §5). */
public sealed interface MembershipAction {

  /** The member (pod name) the action is about; for claims, the first claim's member. */
  String member();

  /** Add the next member as a learner, at its stable peer URL; its pod comes once the StatefulSet follows. */
  record AddLearner(String member, URI peerUrl) implements MembershipAction {}

  /** Promote the learner to a voter; etcd refuses until it has caught up, and then it is tried again. */
  record Promote(String member, long id) implements MembershipAction {}

  /** Hand leadership from the member about to be removed (at its endpoint) to another healthy voter. */
  record MoveLeader(String member, URI leaderEndpoint, long transfereeId, String transferee)
      implements MembershipAction {}

  /**
   * First step of replacing a member whose data is gone or that keeps failing: remove it from etcd, remembering its
   * claim and pod (either may be absent) so that exactly those are recreated before it joins again.
   */
  record Replace(String member, long id, String reason, java.util.Optional<String> staleClaimUid,
      java.util.Optional<String> stalePodUid) implements MembershipAction {}

  /**
   * An ordinal below the highest member's still has a pod or claim but no member in etcd (removed outside the
   * operator, e.g. by {@code etcdctl member remove}): record it as a member being replaced with those as stale, so
   * that they are recreated empty before it joins again, as after a replacement.
   */
  record ClearOrdinal(String member, java.util.Optional<String> staleClaimUid,
      java.util.Optional<String> stalePodUid) implements MembershipAction {}

  /** Delete the old pod of a member being replaced, and its old claim if it has one; the StatefulSet recreates both. */
  record Recycle(String member, java.util.Optional<String> claim) implements MembershipAction {}

  /** Remove the member from etcd; its pod goes when the StatefulSet follows. */
  record Remove(String member, long id) implements MembershipAction {}

  /** Delete volume claims of removed members, so that no later member starts on their data. */
  record DeleteClaims(String member, List<String> claims) implements MembershipAction {}
}
