package dev.etcdoperator.cluster;

import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.AVAILABLE;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.DEGRADED;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.PROGRESSING;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.READY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.api.v1alpha1.EtcdClusterSpec;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.etcd.ClusterObservation;
import dev.etcdoperator.etcd.EtcdMember;
import dev.etcdoperator.etcd.MemberProbe;
import dev.etcdoperator.etcd.MemberStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterStatusCalculatorTest {
  private static final Instant T1 = Instant.parse("2026-11-01T10:00:00Z");
  private static final Clock CLOCK = Clock.fixed(T1, ZoneOffset.UTC);
  private static final String SELECTOR =
      "app.kubernetes.io/name=etcd,app.kubernetes.io/instance=main,app.kubernetes.io/managed-by=etcd-operator,"
          + "app.kubernetes.io/component=member";
  private static final long CLUSTER_ID = 0x8e9e05c52164694dL; // negative as a signed long: printed unsigned
  private static final long ID0 = 0x1aL;
  private static final long ID1 = 0x2bL;
  private static final long ID2 = 0x3cL;
  private static final long ID3 = 0x4dL;
  private static final long ID4 = 0x5eL;

  private static final ClusterStep DONE = new ClusterStep.Done();
  private static final ClusterStep WAITING_FOR_PODS =
      new ClusterStep.Wait(Duration.ofSeconds(10), Reason.WAITING_FOR_PODS, "2/3 member pods ready");

  // ---- fixtures -------------------------------------------------------------------------------------------------

  private static EtcdCluster cluster(Long generation, EtcdClusterStatus status) {
    EtcdCluster cluster = new EtcdCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName("main").withNamespace("db")
        .withUid("3f2a9c1e-7b4d-4e8a-9c2f-1a2b3c4d5e6f").withGeneration(generation).build());
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setReplicas(3);
    cluster.setSpec(spec);
    cluster.setStatus(status);
    return cluster;
  }

  private static EtcdCluster cluster() {
    return cluster(4L, null);
  }

  private static URI clientUrl(String pod) {
    return URI.create("http://" + pod + ".main-peer.db.svc:2379");
  }

  private static EtcdMember member(long id, String name, boolean learner) {
    String host = name.isEmpty() ? "main-9" : name;
    return new EtcdMember(id, name, List.of(URI.create("http://" + host + ".main-peer.db.svc:2380")),
        name.isEmpty() ? List.of() : List.of(clientUrl(name)), learner);
  }

  private static MemberStatus memberStatus(String pod, long id, String version, long leader, long dbSize) {
    return new MemberStatus(clientUrl(pod), id, version, dbSize, dbSize / 2, leader, 100, 2, List.of());
  }

  private static MemberProbe healthy(String pod, long id, String version, long leader, long dbSize) {
    return new MemberProbe(clientUrl(pod), Optional.of(memberStatus(pod, id, version, leader, dbSize)), true,
        Optional.empty());
  }

  private static MemberProbe unreachable(String pod, String error) {
    return new MemberProbe(clientUrl(pod), Optional.empty(), false, Optional.of(error));
  }

  /** etcd's view: probes keyed by endpoint, endpoints keyed by pod name, as the reconciler builds them. */
  private static EtcdView.Reached reached(List<EtcdMember> members, List<MemberProbe> probes) {
    Map<URI, MemberProbe> byEndpoint = new LinkedHashMap<>();
    probes.forEach(p -> byEndpoint.put(p.endpoint(), p));
    Map<String, URI> endpointsByPod = new LinkedHashMap<>();
    members.stream().filter(EtcdMember::started).forEach(m -> endpointsByPod.put(m.name(), clientUrl(m.name())));
    return new EtcdView.Reached(new ClusterObservation(CLUSTER_ID, members, byEndpoint), endpointsByPod);
  }

  /** Three voters, members listed out of order; main-1 leads; versions differ in a way string order gets wrong. */
  private static EtcdView.Reached threeHealthy() {
    return reached(
        List.of(member(ID2, "main-2", false), member(ID0, "main-0", false), member(ID1, "main-1", false)),
        List.of(healthy("main-0", ID0, "3.5.21", ID1, 4096), healthy("main-1", ID1, "3.5.9", ID1, 8192),
            healthy("main-2", ID2, "3.5.10", ID1, 12288)));
  }

  private static EtcdView.Reached oneOfThreeDown() {
    return reached(
        List.of(member(ID0, "main-0", false), member(ID1, "main-1", false), member(ID2, "main-2", false)),
        List.of(healthy("main-0", ID0, "3.5.21", ID1, 4096), healthy("main-1", ID1, "3.5.21", ID1, 4096),
            unreachable("main-2", "context deadline exceeded")));
  }

  private static EtcdView.Reached twoOfThreeDown() {
    return reached(
        List.of(member(ID0, "main-0", false), member(ID1, "main-1", false), member(ID2, "main-2", false)),
        List.of(healthy("main-0", ID0, "3.5.21", ID0, 4096), unreachable("main-1", "connection refused"),
            unreachable("main-2", "connection refused")));
  }

  private static EtcdClusterStatus compute(EtcdCluster cluster, ClusterStep step, EtcdView etcd, int pods,
      int readyPods, boolean formed, Clock clock) {
    return ClusterStatusCalculator.compute(
        new ClusterStatusCalculator.Input(cluster, step, etcd, pods, readyPods, SELECTOR, formed), clock);
  }

  private static EtcdClusterStatus compute(ClusterStep step, EtcdView etcd, int readyPods, boolean formed) {
    return compute(cluster(), step, etcd, 3, readyPods, formed, CLOCK);
  }

  private static Condition condition(EtcdClusterStatus status, String type) {
    List<Condition> matching = status.getConditions().stream().filter(c -> c.getType().equals(type)).toList();
    assertThat(matching).as("conditions of type %s in %s", type, status.getConditions()).hasSize(1);
    return matching.get(0);
  }

  private static void assertCondition(EtcdClusterStatus status, String type, String expectedStatus, String reason) {
    Condition c = condition(status, type);
    assertThat(c.getStatus()).as("%s status (%s)", type, c.getMessage()).isEqualTo(expectedStatus);
    assertThat(c.getReason()).as("%s reason (%s)", type, c.getMessage()).isEqualTo(reason);
  }

  // ---- healthy cluster ------------------------------------------------------------------------------------------

  @Test
  void allMembersHealthyIsReadyAndAvailable() {
    EtcdClusterStatus status = compute(DONE, threeHealthy(), 3, true);

    assertCondition(status, READY, "True", Reason.ALL_MEMBERS_HEALTHY);
    assertCondition(status, AVAILABLE, "True", Reason.QUORUM_HEALTHY);
    assertCondition(status, DEGRADED, "False", Reason.AS_EXPECTED);
    assertCondition(status, PROGRESSING, "False", Reason.RECONCILED);
    assertThat(condition(status, READY).getMessage()).isEqualTo("all 3 members are healthy");
    assertThat(status.getConditions()).extracting(Condition::getType)
        .containsExactlyInAnyOrder(READY, AVAILABLE, DEGRADED, PROGRESSING);
  }

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

  // ---- unhealthy members ----------------------------------------------------------------------------------------

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

  // ---- etcd unreachable / not formed ----------------------------------------------------------------------------

  private static EtcdClusterStatus previouslyHealthy() {
    return compute(DONE, threeHealthy(), 3, true);
  }

  @Test
  void unreachableAfterFormationKeepsWhatWasLearnt() {
    EtcdClusterStatus previous = previouslyHealthy();
    EtcdCluster cluster = cluster(4L, previous);

    EtcdClusterStatus status = compute(cluster, WAITING_FOR_PODS,
        new EtcdView.Unreachable("context deadline exceeded on all endpoints"), 3, 0, true, CLOCK);

    assertCondition(status, AVAILABLE, "False", Reason.ETCD_UNREACHABLE);
    assertThat(condition(status, AVAILABLE).getMessage())
        .isEqualTo("no member answered: context deadline exceeded on all endpoints");
    assertCondition(status, DEGRADED, "True", Reason.ETCD_UNREACHABLE);
    assertCondition(status, READY, "False", Reason.WAITING_FOR_PODS);
    assertThat(status.getClusterID()).isEqualTo("8e9e05c52164694d");
    assertThat(status.getCurrentVersion()).isEqualTo("3.5.9");
    assertThat(status.getLeader()).isNull();
    assertThat(status.getMembers()).extracting(dev.etcdoperator.api.v1alpha1.MemberStatus::getName)
        .containsExactly("main-0", "main-1", "main-2");
    assertThat(status.getMembers()).allSatisfy(m -> {
      assertThat(m.getHealthy()).isFalse();
      assertThat(m.getLeader()).isFalse();
      assertThat(m.getMessage()).isEqualTo("etcd did not answer");
    });
  }

  @Test
  void noMemberPodRunningAfterFormationIsUnreachable() {
    EtcdCluster cluster = cluster(4L, previouslyHealthy());

    EtcdClusterStatus status = compute(cluster, WAITING_FOR_PODS, new EtcdView.NotContacted(), 0, 0, true, CLOCK);

    assertCondition(status, AVAILABLE, "False", Reason.ETCD_UNREACHABLE);
    assertThat(condition(status, AVAILABLE).getMessage()).isEqualTo("no member answered: no member pod runs");
    assertThat(status.getClusterID()).isEqualTo("8e9e05c52164694d");
  }

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

  // ---- halts ----------------------------------------------------------------------------------------------------

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

  // ---- lastTransitionTime ---------------------------------------------------------------------------------------

  @Test
  void lastTransitionTimeMovesOnlyWhenStatusChanges() {
    EtcdClusterStatus first = compute(DONE, threeHealthy(), 3, true);
    assertThat(first.getConditions()).extracting(Condition::getLastTransitionTime)
        .containsOnly("2026-11-01T10:00:00Z");

    Clock later = Clock.fixed(T1.plus(Duration.ofMinutes(5)).plusMillis(750), ZoneOffset.UTC);
    EtcdClusterStatus second = compute(cluster(5L, first), DONE, oneOfThreeDown(), 3, 3, true, later);

    // Available stays True (different message is no transition); Progressing stays False.
    assertThat(condition(second, AVAILABLE).getLastTransitionTime()).isEqualTo("2026-11-01T10:00:00Z");
    assertThat(condition(second, PROGRESSING).getLastTransitionTime()).isEqualTo("2026-11-01T10:00:00Z");
    // Ready True -> False and Degraded False -> True are transitions.
    assertThat(condition(second, READY).getStatus()).isEqualTo("False");
    assertThat(condition(second, READY).getLastTransitionTime()).isEqualTo("2026-11-01T10:05:00Z");
    assertThat(condition(second, DEGRADED).getStatus()).isEqualTo("True");
    assertThat(condition(second, DEGRADED).getLastTransitionTime()).isEqualTo("2026-11-01T10:05:00Z");
    assertThat(second.getConditions()).extracting(Condition::getObservedGeneration).containsOnly(5L);
  }

  @Test
  void sameObservationGivesEqualStatus() {
    EtcdClusterStatus first = compute(DONE, threeHealthy(), 3, true);
    Clock later = Clock.fixed(T1.plus(Duration.ofHours(1)), ZoneOffset.UTC);

    EtcdClusterStatus second = compute(cluster(4L, first), DONE, threeHealthy(), 3, 3, true, later);

    assertThat(second).isEqualTo(first);
  }

  @Test
  void recoveringFromUnreachableRestoresMembersAndTimesTheTransition() {
    EtcdClusterStatus healthy = compute(DONE, threeHealthy(), 3, true);
    Clock t2 = Clock.fixed(T1.plus(Duration.ofMinutes(1)), ZoneOffset.UTC);
    EtcdClusterStatus down = compute(cluster(4L, healthy), WAITING_FOR_PODS,
        new EtcdView.Unreachable("connection refused"), 3, 0, true, t2);
    Clock t3 = Clock.fixed(T1.plus(Duration.ofMinutes(2)), ZoneOffset.UTC);

    EtcdClusterStatus up = compute(cluster(4L, down), DONE, threeHealthy(), 3, 3, true, t3);

    assertCondition(up, AVAILABLE, "True", Reason.QUORUM_HEALTHY);
    assertThat(condition(up, AVAILABLE).getLastTransitionTime()).isEqualTo("2026-11-01T10:02:00Z");
    assertThat(condition(down, AVAILABLE).getLastTransitionTime()).isEqualTo("2026-11-01T10:01:00Z");
    assertThat(up.getMembers()).extracting(dev.etcdoperator.api.v1alpha1.MemberStatus::getHealthy)
        .containsOnly(true);
    assertThat(up.getLeader()).isEqualTo("main-1");
  }

  @Test
  void newConditionsStartAtTheClockWhileUnchangedOnesKeepTheirTime() {
    EtcdClusterStatus previous = new EtcdClusterStatus();
    List<Condition> old = new ArrayList<>();
    old.add(new io.fabric8.kubernetes.api.model.ConditionBuilder().withType(READY).withStatus("True")
        .withReason(Reason.ALL_MEMBERS_HEALTHY).withLastTransitionTime("2026-10-01T00:00:00Z").build());
    previous.setConditions(old);

    EtcdClusterStatus status = compute(cluster(4L, previous), DONE, threeHealthy(), 3, 3, true, CLOCK);

    assertThat(condition(status, READY).getLastTransitionTime()).isEqualTo("2026-10-01T00:00:00Z");
    assertThat(condition(status, AVAILABLE).getLastTransitionTime()).isEqualTo("2026-11-01T10:00:00Z");
  }
}
