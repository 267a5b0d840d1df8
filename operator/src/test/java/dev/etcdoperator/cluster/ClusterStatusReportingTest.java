package dev.etcdoperator.cluster;

import static dev.etcdoperator.cluster.StatusFixtures.CLOCK;
import static dev.etcdoperator.cluster.StatusFixtures.DONE;
import static dev.etcdoperator.cluster.StatusFixtures.ID0;
import static dev.etcdoperator.cluster.StatusFixtures.ID3;
import static dev.etcdoperator.cluster.StatusFixtures.SELECTOR;
import static dev.etcdoperator.cluster.StatusFixtures.WAITING_FOR_PODS;
import static dev.etcdoperator.cluster.StatusFixtures.cluster;
import static dev.etcdoperator.cluster.StatusFixtures.compute;
import static dev.etcdoperator.cluster.StatusFixtures.healthy;
import static dev.etcdoperator.cluster.StatusFixtures.member;
import static dev.etcdoperator.cluster.StatusFixtures.oneOfThreeDown;
import static dev.etcdoperator.cluster.StatusFixtures.previouslyHealthy;
import static dev.etcdoperator.cluster.StatusFixtures.reached;
import static dev.etcdoperator.cluster.StatusFixtures.threeHealthy;
import static dev.etcdoperator.cluster.StatusFixtures.unreachable;
import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.cluster.model.EtcdView;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@link ClusterStatusCalculator} reports besides conditions: members, leader, version, counts, generation. */
class ClusterStatusReportingTest {

  @Test
  void healthyClusterReportsLeaderClusterIdAndCounts() {
    EtcdClusterStatus status = compute(DONE, threeHealthy(), 3, true);

    assertThat(status.getLeader()).isEqualTo("main-1");
    assertThat(status.getClusterID()).isEqualTo("8e9e05c52164694d");
    assertThat(status.getReplicas()).isEqualTo(3);
    assertThat(status.getReadyReplicas()).isEqualTo(3);
    assertThat(status.getSelector()).isEqualTo(SELECTOR);
  }

  @Test
  void currentVersionIsTheLowestMemberVersionComparedAsVersions() {
    EtcdClusterStatus status = compute(DONE, threeHealthy(), 3, true);

    // "3.5.10" < "3.5.9" as strings; as versions 3.5.9 is the lowest.
    assertThat(status.getCurrentVersion()).isEqualTo("3.5.9");
  }

  /**
   * etcd answers, but no member's status does (timeouts on a loaded node): the version it ran is still the version
   * it runs. Dropping it would make the next restart look like no upgrade, skipping the pre-upgrade snapshot.
   */
  @Test
  void aVersionNoMemberReportedKeepsTheLastKnown() {
    EtcdView.Reached noStatus = reached(List.of(member(ID0, "main-0", false)),
        List.of(unreachable("main-0", "context deadline exceeded")));

    EtcdClusterStatus status = compute(cluster(1L, previouslyHealthy()), DONE, noStatus, 1, 1, true, CLOCK);

    assertThat(status.getCurrentVersion()).isEqualTo("3.5.9");
  }

  @Test
  void membersAreSortedByNameWithTheirDetails() {
    EtcdClusterStatus status = compute(DONE, threeHealthy(), 3, true);

    assertThat(status.getMembers()).extracting(dev.etcdoperator.api.v1alpha1.MemberStatus::getName)
        .containsExactly("main-0", "main-1", "main-2");
    dev.etcdoperator.api.v1alpha1.MemberStatus m0 = status.getMembers().get(0);
    assertThat(m0.getId()).isEqualTo("1a");
    assertThat(m0.getPeerURL()).isEqualTo("http://main-0.main-peer.db.svc:2380");
    assertThat(m0.getClientURL()).isEqualTo("http://main-0.main-peer.db.svc:2379");
    assertThat(m0.getLearner()).isFalse();
    assertThat(m0.getHealthy()).isTrue();
    assertThat(m0.getLeader()).isFalse();
    assertThat(m0.getVersion()).isEqualTo("3.5.21");
    assertThat(m0.getDbSize()).isEqualTo(4096L);
    assertThat(m0.getDbSizeInUse()).isEqualTo(2048L);
    assertThat(status.getMembers()).extracting(dev.etcdoperator.api.v1alpha1.MemberStatus::getDbSize)
        .containsExactly(4096L, 8192L, 12288L);
    assertThat(status.getMembers()).extracting(dev.etcdoperator.api.v1alpha1.MemberStatus::getLeader)
        .containsExactly(false, true, false);
  }

  @Test
  void theClaimAMemberFirstServedFromStaysItsRecordWhenAnotherClaimAppearsUnderIt() {
    EtcdClusterStatus first = ClusterStatusCalculator.compute(new ClusterStatusCalculator.Input(cluster(4L, null), DONE,
        threeHealthy(), 3, 3, SELECTOR, true, java.util.Optional.empty(), java.util.Map.of("main-0", "claim-a")),
        CLOCK);
    assertThat(first.getMembers().get(0).getVolumeClaimUID()).isEqualTo("claim-a");

    // The claim was deleted and made anew; the member came back empty under its old ID and answers healthy.
    EtcdClusterStatus later = ClusterStatusCalculator.compute(new ClusterStatusCalculator.Input(cluster(4L, first),
        DONE, threeHealthy(), 3, 3, SELECTOR, true, java.util.Optional.empty(), java.util.Map.of("main-0", "claim-b")),
        CLOCK);
    assertThat(later.getMembers().get(0).getVolumeClaimUID()).as("the planner compares it with the live claim")
        .isEqualTo("claim-a");
  }

  /**
   * A moment in which no member answers (the operator cut off from the pods, every probe timing out on a loaded
   * node) keeps the records: otherwise a member that came back empty under its old ID during that moment would have
   * its new claim or pod recorded as where its data lives, and its loss would go unseen.
   */
  @Test
  void theRecordedClaimsAndPodsOutlastAMomentInWhichEtcdDoesNotAnswer() {
    EtcdClusterStatus first = ClusterStatusCalculator.compute(new ClusterStatusCalculator.Input(cluster(4L, null), DONE,
        threeHealthy(), 3, 3, SELECTOR, true, java.util.Optional.empty(), java.util.Map.of("main-0", "claim-a"),
        java.util.Optional.empty(), java.util.Map.of("main-1", "pod-a"), java.util.Optional.empty()), CLOCK);
    EtcdClusterStatus down = ClusterStatusCalculator.compute(new ClusterStatusCalculator.Input(cluster(4L, first),
        WAITING_FOR_PODS, new EtcdView.Unreachable("context deadline exceeded"), 3, 0, SELECTOR, true,
        java.util.Optional.empty(), java.util.Map.of()), CLOCK);
    assertThat(down.getMembers().get(0).getVolumeClaimUID()).isEqualTo("claim-a");
    assertThat(down.getMembers().get(1).getPodUID()).isEqualTo("pod-a");

    EtcdClusterStatus up = ClusterStatusCalculator.compute(new ClusterStatusCalculator.Input(cluster(4L, down), DONE,
        threeHealthy(), 3, 3, SELECTOR, true, java.util.Optional.empty(), java.util.Map.of("main-0", "claim-b"),
        java.util.Optional.empty(), java.util.Map.of("main-1", "pod-b"), java.util.Optional.empty()), CLOCK);
    assertThat(up.getMembers().get(0).getVolumeClaimUID()).isEqualTo("claim-a");
    assertThat(up.getMembers().get(1).getPodUID()).isEqualTo("pod-a");
  }

  /** emptyDir: the data lives with the pod, so the pod a member first served from healthy is its record. */
  @Test
  void thePodAnEmptyDirMemberFirstServedFromStaysItsRecordWhenAnotherPodAppearsUnderIt() {
    EtcdClusterStatus first = ClusterStatusCalculator.compute(new ClusterStatusCalculator.Input(cluster(4L, null), DONE,
        threeHealthy(), 3, 3, SELECTOR, true, java.util.Optional.empty(), java.util.Map.of(),
        java.util.Optional.empty(), java.util.Map.of("main-0", "pod-a"), java.util.Optional.empty()), CLOCK);
    assertThat(first.getMembers().get(0).getPodUID()).isEqualTo("pod-a");
    assertThat(first.getMembers().get(0).getVolumeClaimUID()).isNull();

    EtcdClusterStatus later = ClusterStatusCalculator.compute(new ClusterStatusCalculator.Input(cluster(4L, first),
        DONE, threeHealthy(), 3, 3, SELECTOR, true, java.util.Optional.empty(), java.util.Map.of(),
        java.util.Optional.empty(), java.util.Map.of("main-0", "pod-b"), java.util.Optional.empty()), CLOCK);
    assertThat(later.getMembers().get(0).getPodUID()).as("the planner compares it with the live pod")
        .isEqualTo("pod-a");
  }

  /**
   * A status without pods on record (written by an operator from before they were recorded): the first reconcile
   * records them, and that is a change the reconciler writes, not one it skips as an unchanged status.
   */
  @Test
  void aPodRecordedForTheFirstTimeChangesTheStatus() {
    EtcdClusterStatus before = ClusterStatusCalculator.compute(new ClusterStatusCalculator.Input(cluster(4L, null),
        DONE, threeHealthy(), 3, 3, SELECTOR, true, java.util.Optional.empty(), java.util.Map.of(),
        java.util.Optional.empty(), java.util.Map.of(), java.util.Optional.empty()), CLOCK);
    EtcdClusterStatus recorded = ClusterStatusCalculator.compute(new ClusterStatusCalculator.Input(
        cluster(4L, before), DONE, threeHealthy(), 3, 3, SELECTOR, true, java.util.Optional.empty(),
        java.util.Map.of(), java.util.Optional.empty(), java.util.Map.of("main-0", "pod-a"), java.util.Optional.empty()),
        CLOCK);

    assertThat(recorded.getMembers().get(0).getPodUID()).isEqualTo("pod-a");
    assertThat(recorded).as("a status to write").isNotEqualTo(before);
  }

  /** MemberStatus.message is documented as "why the member is not healthy, when it is not". */
  @Test
  void healthyMembersCarryNoMessage() {
    EtcdClusterStatus status = compute(DONE, threeHealthy(), 3, true);

    assertThat(status.getMembers()).extracting(dev.etcdoperator.api.v1alpha1.MemberStatus::getMessage)
        .containsOnlyNulls();
  }

  @Test
  void observedGenerationIsCopiedFromMetadataGeneration() {
    EtcdClusterStatus status = compute(cluster(7L, null), DONE, threeHealthy(), 3, 3, true, CLOCK);

    assertThat(status.getObservedGeneration()).isEqualTo(7L);
    assertThat(status.getConditions()).extracting(Condition::getObservedGeneration).containsOnly(7L);
  }

  @Test
  void missingGenerationIsReportedAsZero() {
    EtcdClusterStatus status = compute(cluster(null, null), DONE, threeHealthy(), 3, 3, true, CLOCK);

    assertThat(status.getObservedGeneration()).isZero();
  }

  // ---- unhealthy members --------------------------------------------------------------------------------------------

  @Test
  void unhealthyMemberIsMarkedWithTheProbeError() {
    EtcdClusterStatus status = compute(WAITING_FOR_PODS, oneOfThreeDown(), 2, true);

    dev.etcdoperator.api.v1alpha1.MemberStatus m2 = status.getMembers().get(2);
    assertThat(m2.getName()).isEqualTo("main-2");
    assertThat(m2.getHealthy()).isFalse();
    assertThat(m2.getMessage()).isEqualTo("context deadline exceeded");
    assertThat(m2.getVersion()).isNull();
    assertThat(status.getLeader()).isEqualTo("main-1");
  }

  @Test
  void aMemberThatHasNotStartedHasNoNameAndSaysSo() {
    EtcdView etcd = reached(
        List.of(member(ID0, "main-0", false), member(ID3, "", true)),
        List.of(healthy("main-0", ID0, "3.5.21", ID0, 4096)));

    EtcdClusterStatus status = compute(WAITING_FOR_PODS, etcd, 1, true);

    dev.etcdoperator.api.v1alpha1.MemberStatus added = status.getMembers().stream()
        .filter(m -> m.getId().equals("4d")).findFirst().orElseThrow();
    assertThat(added.getName()).isNull();
    assertThat(added.getLearner()).isTrue();
    assertThat(added.getHealthy()).isFalse();
    assertThat(added.getMessage()).isEqualTo("member has not started yet");
  }
}
