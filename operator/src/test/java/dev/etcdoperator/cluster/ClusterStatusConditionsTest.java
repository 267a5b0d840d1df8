package dev.etcdoperator.cluster;

import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.AVAILABLE;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.DEGRADED;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.PROGRESSING;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.READY;
import static dev.etcdoperator.cluster.StatusFixtures.CLOCK;
import static dev.etcdoperator.cluster.StatusFixtures.DONE;
import static dev.etcdoperator.cluster.StatusFixtures.ID0;
import static dev.etcdoperator.cluster.StatusFixtures.ID1;
import static dev.etcdoperator.cluster.StatusFixtures.ID2;
import static dev.etcdoperator.cluster.StatusFixtures.ID3;
import static dev.etcdoperator.cluster.StatusFixtures.ID4;
import static dev.etcdoperator.cluster.StatusFixtures.SELECTOR;
import static dev.etcdoperator.cluster.StatusFixtures.WAITING_FOR_PODS;
import static dev.etcdoperator.cluster.StatusFixtures.assertCondition;
import static dev.etcdoperator.cluster.StatusFixtures.cluster;
import static dev.etcdoperator.cluster.StatusFixtures.compute;
import static dev.etcdoperator.cluster.StatusFixtures.condition;
import static dev.etcdoperator.cluster.StatusFixtures.healthy;
import static dev.etcdoperator.cluster.StatusFixtures.member;
import static dev.etcdoperator.cluster.StatusFixtures.oneOfThreeDown;
import static dev.etcdoperator.cluster.StatusFixtures.reached;
import static dev.etcdoperator.cluster.StatusFixtures.threeHealthy;
import static dev.etcdoperator.cluster.StatusFixtures.twoOfThreeDown;
import static dev.etcdoperator.cluster.StatusFixtures.unreachable;
import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.cluster.model.EtcdView;
import dev.etcdoperator.etcd.ClusterObservation;
import dev.etcdoperator.etcd.EtcdAlarm;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Ready, Available, Degraded and Progressing conditions {@link ClusterStatusCalculator} derives. */
class ClusterStatusConditionsTest {

  // ---- healthy cluster ----------------------------------------------------------------------------------------------

  /** spec.image holds another etcd release than spec.version names: flags and upgrade checks follow the wrong one. */
  /** The placement finding becomes a condition of its own, and its coming about a Warning Event. */
  @Test
  void membersSharingANodeAreReportedAsACondition() {
    java.util.Optional<MemberPlacement> crowded = java.util.Optional.of(new MemberPlacement(false,
        Reason.MEMBERS_SHARE_A_NODE, "node n1 runs main-0, main-2"));
    EtcdClusterStatus status = ClusterStatusCalculator.compute(new ClusterStatusCalculator.Input(cluster(), DONE,
        threeHealthy(), 3, 3, SELECTOR, true, java.util.Optional.empty(), java.util.Map.of(),
        java.util.Optional.empty(), java.util.Map.of(), crowded), CLOCK);

    assertCondition(status, EtcdClusterConditions.MEMBERS_SPREAD, "False", Reason.MEMBERS_SHARE_A_NODE);
    assertCondition(status, READY, "True", Reason.ALL_MEMBERS_HEALTHY);
  }

  @Test
  void membersRunningAnotherReleaseThanTheTemplateIsRenderedForAreDegradedOnceNothingIsLeftToRollOut() {
    java.util.Optional<dev.etcdoperator.support.EtcdVersion> template =
        dev.etcdoperator.support.EtcdVersion.parse("3.5.21");
    EtcdClusterStatus settled = ClusterStatusCalculator.compute(new ClusterStatusCalculator.Input(cluster(), DONE,
        threeHealthy(), 3, 3, SELECTOR, true, java.util.Optional.empty(), java.util.Map.of(), template), CLOCK);

    assertCondition(settled, DEGRADED, "True", Reason.VERSION_MISMATCH);
    assertThat(condition(settled, DEGRADED).getMessage()).startsWith("main-1 runs 3.5.9, main-2 runs 3.5.10, but the "
        + "pod template is rendered for etcd 3.5.21");
    assertCondition(settled, AVAILABLE, "True", Reason.QUORUM_HEALTHY);

    EtcdClusterStatus rolling = ClusterStatusCalculator.compute(new ClusterStatusCalculator.Input(cluster(),
        WAITING_FOR_PODS, threeHealthy(), 3, 3, SELECTOR, true, java.util.Optional.empty(), java.util.Map.of(),
        template), CLOCK);
    assertThat(condition(rolling, DEGRADED).getReason()).as("mid-rollout, members differ on purpose")
        .isNotEqualTo(Reason.VERSION_MISMATCH);
  }

  @Test
  void allMembersHealthyIsReadyAndAvailable() {
    EtcdClusterStatus status = compute(DONE, threeHealthy(), 3, true);

    assertCondition(status, READY, "True", Reason.ALL_MEMBERS_HEALTHY);
    assertCondition(status, AVAILABLE, "True", Reason.QUORUM_HEALTHY);
    assertCondition(status, DEGRADED, "False", Reason.AS_EXPECTED);
    assertCondition(status, PROGRESSING, "False", Reason.RECONCILED);
    assertThat(condition(status, READY).getMessage()).isEqualTo("all 3 members are healthy");
    assertThat(status.getConditions()).extracting(Condition::getType)
        .containsExactlyInAnyOrder(READY, AVAILABLE, DEGRADED, PROGRESSING, EtcdClusterConditions.VERSION_SUPPORTED);
  }

  // ---- alarms -------------------------------------------------------------------------------------------------------

  /** NOSPACE is its own state: the members are healthy (they serve reads), the cluster refuses writes. */
  @Test
  void aNoSpaceAlarmIsReportedAsSuchNotAsQuorumLoss() {
    EtcdView.Reached healthy = threeHealthy();
    ClusterObservation observed = healthy.observation();
    EtcdView.Reached full = new EtcdView.Reached(new ClusterObservation(observed.clusterId(), observed.members(),
        observed.probes(), List.of(new EtcdAlarm(observed.members().get(0).id(), EtcdAlarm.NOSPACE))),
        healthy.endpointsByPod(), null);

    EtcdClusterStatus status = compute(DONE, full, 3, true);

    assertCondition(status, AVAILABLE, "False", "NoSpace");
    assertThat(condition(status, AVAILABLE).getMessage()).startsWith("etcd raised NOSPACE on member ")
        .contains("it serves reads but refuses writes");
    assertCondition(status, DEGRADED, "True", "NoSpace");
    assertCondition(status, READY, "False", "NoSpace");
    assertThat(status.getMembers()).allSatisfy(m -> assertThat(m.getHealthy()).isTrue());
  }

  // ---- unhealthy members --------------------------------------------------------------------------------------------

  /** Every scale-out adds a learner that has not started yet: that is progress, not something to page anyone for. */
  @Test
  void aLearnerJustAddedAndNotStartedYetIsNotDegraded() {
    EtcdView etcd = reached(List.of(member(ID0, "main-0", false), member(ID1, "main-1", false),
        member(ID2, "main-2", false), member(ID3, "", true)),
        List.of(healthy("main-0", ID0, "3.5.21", ID0, 4096), healthy("main-1", ID1, "3.5.21", ID0, 4096),
            healthy("main-2", ID2, "3.5.21", ID0, 4096)));

    EtcdClusterStatus status = compute(new ClusterStep.Wait(Duration.ofSeconds(2), Reason.SCALING_OUT,
        "waiting for learner main-3 to start and catch up"), etcd, 3, true);

    assertCondition(status, DEGRADED, "False", Reason.AS_EXPECTED);
    assertCondition(status, PROGRESSING, "True", Reason.SCALING_OUT);
    assertCondition(status, READY, "False", Reason.SCALING_OUT);
  }

  @Test
  void oneOfThreeUnhealthyIsAvailableButDegradedAndNotReady() {
    EtcdClusterStatus status = compute(WAITING_FOR_PODS, oneOfThreeDown(), 2, true);

    assertCondition(status, AVAILABLE, "True", Reason.QUORUM_HEALTHY);
    assertCondition(status, DEGRADED, "True", Reason.MEMBERS_UNHEALTHY);
    assertThat(condition(status, DEGRADED).getMessage()).isEqualTo("unhealthy members: [main-2]");
    assertCondition(status, READY, "False", Reason.WAITING_FOR_PODS);
    assertThat(condition(status, READY).getMessage()).isEqualTo("2/3 member pods ready");
    assertCondition(status, PROGRESSING, "True", Reason.WAITING_FOR_PODS);
  }

  @Test
  void podsReadyButAnEtcdMemberUnhealthyIsNotReady() {
    EtcdClusterStatus status = compute(DONE, oneOfThreeDown(), 3, true);

    assertCondition(status, READY, "False", Reason.MEMBERS_UNHEALTHY);
    assertCondition(status, DEGRADED, "True", Reason.MEMBERS_UNHEALTHY);
  }

  @Test
  void twoOfThreeUnhealthyLosesQuorum() {
    EtcdClusterStatus status = compute(WAITING_FOR_PODS, twoOfThreeDown(), 1, true);

    assertCondition(status, AVAILABLE, "False", Reason.QUORUM_LOST);
    assertCondition(status, DEGRADED, "True", Reason.QUORUM_LOST);
    assertCondition(status, READY, "False", Reason.WAITING_FOR_PODS);
    assertThat(status.getMembers()).extracting(dev.etcdoperator.api.v1alpha1.MemberStatus::getHealthy)
        .containsExactly(true, false, false);
  }

  @Test
  void healthyLearnersDoNotMakeUpForLostVoters() {
    // 3 voters, only one healthy; two healthy learners would make 3 of 5 healthy if they counted.
    EtcdView etcd = reached(
        List.of(member(ID0, "main-0", false), member(ID1, "main-1", false), member(ID2, "main-2", false),
            member(ID3, "main-3", true), member(ID4, "main-4", true)),
        List.of(healthy("main-0", ID0, "3.5.21", ID0, 4096), unreachable("main-1", "connection refused"),
            unreachable("main-2", "connection refused"), healthy("main-3", ID3, "3.5.21", ID0, 4096),
            healthy("main-4", ID4, "3.5.21", ID0, 4096)));

    EtcdClusterStatus status = compute(WAITING_FOR_PODS, etcd, 3, true);

    assertCondition(status, AVAILABLE, "False", Reason.QUORUM_LOST);
    assertCondition(status, DEGRADED, "True", Reason.QUORUM_LOST);
    assertThat(status.getMembers()).extracting(dev.etcdoperator.api.v1alpha1.MemberStatus::getLearner)
        .containsExactly(false, false, false, true, true);
  }

  @Test
  void anUnhealthyLearnerDoesNotCostQuorum() {
    EtcdView etcd = reached(
        List.of(member(ID0, "main-0", false), member(ID1, "main-1", false), member(ID2, "main-2", false),
            member(ID3, "main-3", true)),
        List.of(healthy("main-0", ID0, "3.5.21", ID0, 4096), healthy("main-1", ID1, "3.5.21", ID0, 4096),
            healthy("main-2", ID2, "3.5.21", ID0, 4096), unreachable("main-3", "connection refused")));

    EtcdClusterStatus status = compute(WAITING_FOR_PODS, etcd, 3, true);

    assertCondition(status, AVAILABLE, "True", Reason.QUORUM_HEALTHY);
    assertCondition(status, DEGRADED, "True", Reason.MEMBERS_UNHEALTHY);
    assertThat(condition(status, DEGRADED).getMessage()).isEqualTo("unhealthy members: [main-3]");
    assertThat(status.getLeader()).isEqualTo("main-0");
  }

  // ---- not formed ---------------------------------------------------------------------------------------------------

  @Test
  void notFormedIsBootstrapping() {
    ClusterStep bootstrapping = new ClusterStep.Wait(Duration.ofSeconds(5), Reason.BOOTSTRAPPING,
        "waiting for the members to form the cluster (1/3 pods ready)");

    EtcdClusterStatus status = compute(bootstrapping, new EtcdView.Unreachable("connection refused"), 1, false);

    assertCondition(status, AVAILABLE, "False", Reason.BOOTSTRAPPING);
    assertCondition(status, DEGRADED, "False", Reason.AS_EXPECTED);
    assertCondition(status, READY, "False", Reason.BOOTSTRAPPING);
    assertCondition(status, PROGRESSING, "True", Reason.BOOTSTRAPPING);
    assertThat(condition(status, PROGRESSING).getMessage())
        .isEqualTo("waiting for the members to form the cluster (1/3 pods ready)");
    assertThat(status.getClusterID()).isNull();
    assertThat(status.getCurrentVersion()).isNull();
    assertThat(status.getMembers()).isEmpty();
  }

  @Test
  void applyingObjectsIsProgressingAndNamesThem() {
    List<HasMetadata> objects = List.of(
        new ConfigMapBuilder().withNewMetadata().withName("main-config").endMetadata().build(),
        new ServiceBuilder().withNewMetadata().withName("main-peer").endMetadata().build());

    EtcdClusterStatus status = compute(new ClusterStep.ApplyObjects(objects, Reason.CREATING_RESOURCES),
        new EtcdView.NotContacted(), 0, false);

    assertCondition(status, PROGRESSING, "True", Reason.CREATING_RESOURCES);
    assertThat(condition(status, PROGRESSING).getMessage())
        .isEqualTo("applying [ConfigMap/main-config, Service/main-peer]");
    assertCondition(status, READY, "False", Reason.CREATING_RESOURCES);
    assertCondition(status, AVAILABLE, "False", Reason.BOOTSTRAPPING);
  }

  // ---- halts --------------------------------------------------------------------------------------------------------

  @Test
  void invalidSpecIsDegradedAndNotReadyEvenWhenEtcdIsHealthy() {
    ClusterStep halt = new ClusterStep.Halt(Reason.INVALID_SPEC, "spec.replicas must be 1, 3, 5, 7 or 9, got 4");

    EtcdClusterStatus status = compute(halt, threeHealthy(), 3, true);

    assertCondition(status, DEGRADED, "True", Reason.INVALID_SPEC);
    assertThat(condition(status, DEGRADED).getMessage()).isEqualTo("spec.replicas must be 1, 3, 5, 7 or 9, got 4");
    assertCondition(status, READY, "False", Reason.INVALID_SPEC);
    assertCondition(status, PROGRESSING, "False", Reason.INVALID_SPEC);
    assertCondition(status, AVAILABLE, "True", Reason.QUORUM_HEALTHY);
  }

  @Test
  void invalidSpecWinsOverQuorumLossInDegraded() {
    ClusterStep halt = new ClusterStep.Halt(Reason.INVALID_SPEC, "bad");

    EtcdClusterStatus status = compute(halt, twoOfThreeDown(), 1, true);

    assertCondition(status, DEGRADED, "True", Reason.INVALID_SPEC);
    assertCondition(status, AVAILABLE, "False", Reason.QUORUM_LOST);
  }

  @Test
  void pausedHealthyClusterIsNotDegradedButNotReady() {
    ClusterStep halt = new ClusterStep.Halt(Reason.PAUSED, "reconciliation is paused: no changes are made");

    EtcdClusterStatus status = compute(halt, threeHealthy(), 3, true);

    assertCondition(status, DEGRADED, "False", Reason.AS_EXPECTED);
    assertCondition(status, READY, "False", Reason.PAUSED);
    assertCondition(status, PROGRESSING, "False", Reason.PAUSED);
  }
}
