package dev.etcdoperator.cluster.membership;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.api.v1alpha1.MembershipChange;
import dev.etcdoperator.cluster.model.ClusterStatusWrites;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.cluster.model.FaultPoints;
import dev.etcdoperator.cluster.model.MembershipAction;
import dev.etcdoperator.etcd.ClusterObservation;
import dev.etcdoperator.etcd.EtcdClient;
import dev.etcdoperator.etcd.EtcdClientException;
import dev.etcdoperator.etcd.EtcdIds;
import dev.etcdoperator.etcd.EtcdMember;
import dev.etcdoperator.etcd.MemberProbe;
import dev.etcdoperator.support.EventRecorder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Performs one {@link MembershipAction}. A change to etcd's membership is recorded in
 * {@code status.membershipChange} first (GUIDE §4: intent before mutation), so an operator restarted midway sees
 * what was under way; every change gets an Event.
 */
public final class MembershipActions {
  static final String MEMBER_ADDED = "MemberAdded";
  static final String MEMBER_PROMOTED = "MemberPromoted";
  static final String LEADER_MOVED = "LeaderMoved";
  static final String MEMBER_REMOVED = "MemberRemoved";
  static final String VOLUME_CLAIM_DELETED = "VolumeClaimDeleted";
  static final String MEMBER_RECREATED = "MemberRecreated";
  static final String MEMBERSHIP_CHANGE_FAILED = "MembershipChangeFailed";
  private static final Logger LOG = LoggerFactory.getLogger(MembershipActions.class);

  private final KubernetesClient client;
  private final EventRecorder events;
  private final Clock clock;
  private final FaultPoints faults;
  private final ClusterStatusWrites statusWrites;
  private final MemberRecycling recycling;

  /** @param statusWrites the reconciler's status writes, which the intent joins */
  public MembershipActions(KubernetesClient client, EventRecorder events, Clock clock, FaultPoints faults,
      ClusterStatusWrites statusWrites) {
    this.client = client;
    this.events = events;
    this.clock = clock;
    this.faults = faults;
    this.statusWrites = statusWrites;
    this.recycling = new MemberRecycling(client);
  }

  /**
   * @return the step as it turned out: the change itself, or a {@link ClusterStep.Wait} when etcd said "not yet"
   *     (a learner still catching up) or the request failed
   */
  public ClusterStep perform(EtcdCluster cluster, ClusterStep.ChangeMembership change, EtcdClient etcd,
      ClusterObservation observed) {
    String where = cluster.getMetadata().getNamespace() + "/" + cluster.getMetadata().getName();
    Optional<URI> leader = observed.leaderId().flatMap(id -> observed.probes().values().stream()
        .filter(p -> p.memberId().orElse(0L).equals(id)).map(MemberProbe::endpoint).findFirst());
    if (leader.isEmpty() && !(change.action() instanceof MembershipAction.Recycle
        || change.action() instanceof MembershipAction.DeleteClaims
        || change.action() instanceof MembershipAction.ClearOrdinal)) {
      return new ClusterStep.Wait(MembershipPlanner.LEARNER_POLL, change.reason(), "waiting for a leader to "
          + "ask: " + change.message());
    }
    URI via = leader.orElse(null);
    try {
      switch (change.action()) {
        case MembershipAction.AddLearner add -> {
          if (!change.reason().equals(Reason.REPLACING_MEMBER)) {
            // a member coming back after being replaced keeps that record (with its stale claim and pod)
            recordIntent(cluster, change, intent(MembershipChange.SCALE_OUT, add.member()));
          }
          Optional<EtcdMember> added = etcd.addLearner(via, add.peerUrl());
          if (added.isEmpty()) {
            return notSettled(change, add.member());
          }
          EtcdMember learner = added.get();
          event(cluster, EventRecorder.Type.Normal, MEMBER_ADDED, "added " + add.member() + " as a learner (id "
              + learner.idHex() + ", peer URL " + add.peerUrl() + ")");
          faults.reached(FaultPoints.LEARNER_ADDED);
        }
        case MembershipAction.Promote promote -> {
          faults.reached(FaultPoints.BEFORE_PROMOTE);
          if (!etcd.promote(via, promote.id())) {
            return new ClusterStep.Wait(MembershipPlanner.SETTLE_POLL, change.reason(), "learner "
                + promote.member() + " is catching up with the leader");
          }
          event(cluster, EventRecorder.Type.Normal, MEMBER_PROMOTED, "promoted learner " + promote.member()
              + " to a voting member");
        }
        case MembershipAction.MoveLeader move -> {
          etcd.moveLeader(move.leaderEndpoint(), move.transfereeId());
          event(cluster, EventRecorder.Type.Normal, LEADER_MOVED, "moved leadership from " + move.member() + " to "
              + move.transferee());
          faults.reached(FaultPoints.LEADER_MOVED);
        }
        case MembershipAction.Remove remove -> {
          recordIntent(cluster, change, intent(MembershipChange.SCALE_IN, remove.member()));
          if (!etcd.removeMember(via, remove.id())) {
            return notSettled(change, remove.member());
          }
          event(cluster, EventRecorder.Type.Normal, MEMBER_REMOVED, "removed " + remove.member() + " (id "
              + EtcdIds.toHex(remove.id()) + ")");
          faults.reached(FaultPoints.MEMBER_REMOVED);
        }
        case MembershipAction.Replace replace -> {
          MembershipChange intent = intent(MembershipChange.REPLACE_MEMBER, replace.member());
          intent.setStaleVolumeClaimUID(replace.staleClaimUid().orElse(null));
          intent.setStalePodUID(replace.stalePodUid().orElse(null));
          recordIntent(cluster, change, intent);
          if (!etcd.removeMember(via, replace.id())) {
            return notSettled(change, replace.member());
          }
          event(cluster, EventRecorder.Type.Warning, MEMBER_REMOVED, "removed " + replace.member() + " (id "
              + EtcdIds.toHex(replace.id()) + ") to replace it: " + replace.reason());
          faults.reached(FaultPoints.REPLACED_MEMBER_REMOVED);
        }
        case MembershipAction.ClearOrdinal clear -> {
          MembershipChange intent = intent(MembershipChange.REPLACE_MEMBER, clear.member());
          intent.setStaleVolumeClaimUID(clear.staleClaimUid().orElse(null));
          intent.setStalePodUID(clear.stalePodUid().orElse(null));
          recordIntent(cluster, change, intent);
          event(cluster, EventRecorder.Type.Warning, MEMBER_RECREATED, change.message());
        }
        case MembershipAction.Recycle recycle -> {
          recycling.recycle(cluster, recycle);
          event(cluster, EventRecorder.Type.Normal, MEMBER_RECREATED, change.message());
          faults.reached(FaultPoints.MEMBER_RECREATED);
        }
        case MembershipAction.DeleteClaims claims -> {
          for (String claim : claims.claims()) {
            client.persistentVolumeClaims().inNamespace(cluster.getMetadata().getNamespace()).withName(claim)
                .delete();
          }
          event(cluster, EventRecorder.Type.Normal, VOLUME_CLAIM_DELETED, "deleted volume claims of removed "
              + "members: " + String.join(", ", claims.claims()));
        }
      }
      LOG.info("{}: {}", where, change.message());
      return change;
    } catch (EtcdClientException e) {
      String message = change.message() + " failed: " + e.getMessage();
      LOG.warn("{}: {}", where, message);
      event(cluster, EventRecorder.Type.Warning, MEMBERSHIP_CHANGE_FAILED, message);
      return new ClusterStep.Wait(MembershipPlanner.BLOCKED_POLL, change.reason(), message + " (will retry)");
    }
  }

  /** etcd takes membership changes only once its leader has been in touch with every voter for a few seconds. */
  private static ClusterStep notSettled(ClusterStep.ChangeMembership change, String member) {
    return new ClusterStep.Wait(MembershipPlanner.SETTLE_POLL, change.reason(), "etcd accepts the change of "
        + member + " once its leader has been in touch with every member for a few seconds");
  }

  /**
   * Writes the intent into the status through the reconciler's own status writes (one field manager), so that their
   * later status, which leaves it out once the change is done, removes it.
   */
  private void recordIntent(EtcdCluster cluster, ClusterStep.ChangeMembership change, MembershipChange intent) {
    if (cluster.getStatus() != null && intent.sameChange(cluster.getStatus().getMembershipChange())) {
      return;
    }
    statusWrites.write(cluster, IntentStatus.of(cluster.getStatus(), intent, change,
        Optional.ofNullable(cluster.getMetadata().getGeneration()).orElse(0L), clock));
  }

  private MembershipChange intent(String operation, String member) {
    return new MembershipChange(operation, member, clock.instant().toString());
  }

  private void event(EtcdCluster cluster, EventRecorder.Type type, String reason, String message) {
    events.record(cluster, type, reason, message);
  }
}
