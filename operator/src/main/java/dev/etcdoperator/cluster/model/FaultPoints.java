package dev.etcdoperator.cluster.model;

/**
 * Named places between two steps of a membership change, where tests make the operator die (GUIDE §4: every step
 * must be safe to repeat, and an operator restarted at any of these places must converge). In production nothing
 * happens there.
 */
@FunctionalInterface
public interface FaultPoints {
  /** The learner is in etcd; the StatefulSet has not been raised for its pod. */
  String LEARNER_ADDED = "learner-added";
  /** The learner caught up; it is about to be promoted. */
  String BEFORE_PROMOTE = "before-promote";
  /** Leadership moved off the member to remove; it has not been removed. */
  String LEADER_MOVED = "leader-moved";
  /** The member is out of etcd; the StatefulSet has not been lowered, its claim not deleted. */
  String MEMBER_REMOVED = "member-removed";
  /** A member being replaced is out of etcd; its old claim and pod are still there. */
  String REPLACED_MEMBER_REMOVED = "replaced-member-removed";
  /** The old claim and pod of a member being replaced were deleted; it has not been added back. */
  String MEMBER_RECREATED = "member-recreated";

  FaultPoints NONE = point -> { };

  /** Called when the operator passes {@code point}; may not return (the test stops the operator meanwhile). */
  void reached(String point);
}
