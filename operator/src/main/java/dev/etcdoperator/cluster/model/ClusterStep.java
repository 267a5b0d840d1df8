package dev.etcdoperator.cluster.model;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.util.List;

/** The one thing a reconcile does next (GUIDE §4): the planner returns exactly one step. */
public sealed interface ClusterStep {

  /** Spec problems or a pause: change nothing, report why. */
  record Halt(String reason, String message) implements ClusterStep {}

  /** Create or update owned objects, in dependency order (ConfigMap before the StatefulSet that reads it). */
  record ApplyObjects(List<HasMetadata> objects, String reason) implements ClusterStep {}

  /** Grow every member's volume to {@code size}, then re-create the StatefulSet so its template says so too. */
  record ExpandStorage(Quantity size) implements ClusterStep {}

  /** One membership change; {@code reason} is the Progressing reason (ScalingOut, ScalingIn, ...). */
  record ChangeMembership(MembershipAction action, String reason, String message) implements ClusterStep {}

  /**
   * Delete a member's pod (only that incarnation: {@code podUid}) so that the StatefulSet recreates it from the
   * current template; {@code reason} is the Progressing reason.
   */
  record RestartMember(String member, String podUid, String reason, String message) implements ClusterStep {}

  /**
   * Create the volume claims and restore pods of these initial members (spec.bootstrap.restore): each restores
   * {@code source} onto its claim before the StatefulSet exists.
   */
  record RestoreMembers(List<Integer> ordinals, RestoreSource.Located source) implements ClusterStep {}

  /** Nothing to do until the cluster moves; look again after {@code after}. */
  record Wait(Duration after, String reason, String message) implements ClusterStep {}

  /** Everything is as desired. */
  record Done() implements ClusterStep {}
}
