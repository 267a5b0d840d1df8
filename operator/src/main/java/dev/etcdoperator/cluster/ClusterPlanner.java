package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.cluster.membership.MembershipPlanner;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.cluster.model.MembershipFacts;
import dev.etcdoperator.cluster.restore.RestoreFacts;
import dev.etcdoperator.cluster.restore.RestorePlanner;
import dev.etcdoperator.cluster.rollout.RolloutFacts;
import dev.etcdoperator.cluster.rollout.RolloutPlanner;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Chooses the single next step from what was observed (GUIDE §4). Pure: no client, no clock. */
public final class ClusterPlanner {
  static final Duration BOOTSTRAP_POLL = Duration.ofSeconds(1);
  static final Duration PODS_POLL = Duration.ofSeconds(10);

  private ClusterPlanner() {}

  /**
   * @param drifted owned objects that are missing or out of shape, in apply order
   * @param anyMissing whether one of them does not exist yet
   * @param formed whether the etcd cluster has formed (bootstrap is over)
   * @param etcdMembers how many members etcd reports, when it answered
   * @param storageGrowth the member volume size asked for, when larger than the StatefulSet provisions
   * @param certificateProblem why the certificates cannot be used, when they cannot
   * @param membership etcd's membership and the member pods and claims, when etcd answered
   * @param retainClaims whether claims of removed members are kept (spec.storage.retainOnScaleDown)
   * @param peerScheme scheme of the members' peer URLs
   * @param rollout the StatefulSet's revision and the member pods', when etcd answered
   * @param restore the restore of spec.bootstrap.restore, while the StatefulSet does not exist yet
   * @param membersUnknown whether the StatefulSet of a formed cluster is gone and nothing tells how many members it
   *     should run (etcd does not answer, status names none): it is not re-created until something does
   */
  public record Input(List<String> specProblems, boolean paused, List<HasMetadata> drifted, boolean anyMissing,
      boolean formed, int desiredMembers, int readyPods, Optional<Quantity> storageGrowth,
      Optional<String> certificateProblem, Optional<MembershipFacts> membership, boolean retainClaims,
      String peerScheme, Optional<RolloutFacts> rollout, Optional<RestoreFacts> restore, boolean membersUnknown) {

    /** The common case in tests: no storage growth asked for, certificates fine, membership as desired. */
    public Input(List<String> specProblems, boolean paused, List<HasMetadata> drifted, boolean anyMissing,
        boolean formed, int desiredMembers, int readyPods) {
      this(specProblems, paused, drifted, anyMissing, formed, desiredMembers, readyPods, Optional.empty(),
          Optional.empty(), Optional.empty(), false, "https", Optional.empty(), Optional.empty(), false);
    }

    Input withNothingToApply() {
      return new Input(specProblems, paused, List.of(), false, formed, desiredMembers, readyPods, storageGrowth,
          certificateProblem, membership, retainClaims, peerScheme, rollout, restore, membersUnknown);
    }
  }

  /**
   * The step that follows once {@code applied} has gone through: when it only wrote records no member runs on (the
   * bootstrap ConfigMap, which members read when they start, and the PodDisruptionBudget), the cluster is where
   * the plan without them leaves it, if that asks for no action or for a membership change (which the reconcile
   * then makes). A cluster that has just formed is Ready in the reconcile that records its formation, and a scale
   * out adds its first learner in the reconcile that writes the budget for the new size, not one reconcile (and
   * one probe of etcd) later.
   */
  public static ClusterStep afterApplying(ClusterStep.ApplyObjects applied, Input in) {
    if (!applied.objects().stream().allMatch(o -> o instanceof ConfigMap || o instanceof PodDisruptionBudget)) {
      return applied;
    }
    ClusterStep next = plan(in.withNothingToApply());
    return next instanceof ClusterStep.Done || next instanceof ClusterStep.Wait
        || next instanceof ClusterStep.ChangeMembership ? next : applied;
  }

  public static ClusterStep plan(Input in) {
    if (!in.specProblems().isEmpty()) {
      return new ClusterStep.Halt(Reason.INVALID_SPEC, String.join("; ", in.specProblems()));
    }
    if (in.paused()) {
      return new ClusterStep.Halt(Reason.PAUSED, "reconciliation is paused: no changes are made");
    }
    if (in.certificateProblem().isPresent()) {
      // Members started with certificates that do not fit could not talk to each other or to clients.
      return new ClusterStep.Halt(Reason.CERTIFICATES_NOT_READY, in.certificateProblem().get());
    }
    if (in.storageGrowth().isPresent()) {
      return new ClusterStep.ExpandStorage(in.storageGrowth().get());
    }
    if (!in.drifted().isEmpty()) {
      return new ClusterStep.ApplyObjects(in.drifted(),
          in.anyMissing() ? Reason.CREATING_RESOURCES : Reason.UPDATING_RESOURCES);
    }
    Optional<ClusterStep> restore = in.restore().flatMap(RestorePlanner::plan);
    if (restore.isPresent()) {
      return restore.get();
    }
    if (!in.formed()) {
      // A member pod is Ready only once the cluster has formed (its readiness check needs a quorum), and its event
      // brings the next look: until then a short poll finds nothing, while a hundred clusters starting at once would
      // spend a CPU on it that their pods need to start. Once a pod is Ready, etcd should answer at any moment.
      return new ClusterStep.Wait(in.readyPods() > 0 ? BOOTSTRAP_POLL : PODS_POLL, Reason.BOOTSTRAPPING,
          "waiting for the members to form the cluster (" + in.readyPods() + "/" + in.desiredMembers()
              + " pods ready)");
    }
    if (in.membersUnknown()) {
      return new ClusterStep.Wait(PODS_POLL, Reason.WAITING_FOR_PODS, "the StatefulSet is missing and neither etcd "
          + "nor status tells how many members it runs: it is re-created once a member answers");
    }
    if (in.membership().isPresent()) {
      MembershipFacts members = in.membership().get();
      Optional<ClusterStep> learner = in.rollout().flatMap(r -> RolloutPlanner.restartStuckLearner(members, r));
      if (learner.isPresent()) {
        return learner.get();
      }
      // A member that fails on a template no healthy member runs is the rollout's to handle, never replaced.
      MembershipFacts repairable = in.rollout()
          .map(r -> members.withoutFailing(RolloutPlanner.failingOnUnprovenTemplate(members, r))).orElse(members);
      Optional<ClusterStep> change = MembershipPlanner.plan(repairable, in.desiredMembers(), in.retainClaims(),
          in.peerScheme());
      if (change.isPresent()) {
        return change.get();
      }
      Optional<ClusterStep> restart = in.rollout().flatMap(r -> RolloutPlanner.plan(in.membership().get(), r));
      if (restart.isPresent()) {
        return restart.get();
      }
    }
    if (in.readyPods() < in.desiredMembers()) {
      return new ClusterStep.Wait(PODS_POLL, Reason.WAITING_FOR_PODS,
          in.readyPods() + "/" + in.desiredMembers() + " member pods ready");
    }
    return new ClusterStep.Done();
  }
}
