package dev.etcdoperator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.api.v1alpha1.EtcdClusterSpec;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.cluster.model.EtcdView;
import dev.etcdoperator.etcd.ClusterObservation;
import dev.etcdoperator.etcd.EtcdMember;
import dev.etcdoperator.etcd.MemberProbe;
import dev.etcdoperator.etcd.MemberStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Shared fixtures of the {@link ClusterStatusCalculator} tests: an EtcdCluster "main" in namespace "db", etcd's view
 * of its members as the reconciler builds it, and condition assertions.
 */
final class StatusFixtures {
  static final Instant T1 = Instant.parse("2026-11-01T10:00:00Z");
  static final Clock CLOCK = Clock.fixed(T1, ZoneOffset.UTC);
  static final String SELECTOR =
      "app.kubernetes.io/name=etcd,app.kubernetes.io/instance=main,app.kubernetes.io/managed-by=etcd-operator,"
          + "app.kubernetes.io/component=member";
  private static final long CLUSTER_ID = 0x8e9e05c52164694dL; // negative as a signed long: printed unsigned
  static final long ID0 = 0x1aL;
  static final long ID1 = 0x2bL;
  static final long ID2 = 0x3cL;
  static final long ID3 = 0x4dL;
  static final long ID4 = 0x5eL;

  static final ClusterStep DONE = new ClusterStep.Done();
  static final ClusterStep WAITING_FOR_PODS =
      new ClusterStep.Wait(Duration.ofSeconds(10), Reason.WAITING_FOR_PODS, "2/3 member pods ready");

  private StatusFixtures() {
  }

  static EtcdCluster cluster(Long generation, EtcdClusterStatus status) {
    EtcdCluster cluster = new EtcdCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName("main").withNamespace("db")
        .withUid("3f2a9c1e-7b4d-4e8a-9c2f-1a2b3c4d5e6f").withGeneration(generation).build());
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setReplicas(3);
    cluster.setSpec(spec);
    cluster.setStatus(status);
    return cluster;
  }

  static EtcdCluster cluster() {
    return cluster(4L, null);
  }

  private static URI clientUrl(String pod) {
    return URI.create("http://" + pod + ".main-peer.db.svc:2379");
  }

  static EtcdMember member(long id, String name, boolean learner) {
    String host = name.isEmpty() ? "main-9" : name;
    return new EtcdMember(id, name, List.of(URI.create("http://" + host + ".main-peer.db.svc:2380")),
        name.isEmpty() ? List.of() : List.of(clientUrl(name)), learner);
  }

  private static MemberStatus memberStatus(String pod, long id, String version, long leader, long dbSize) {
    return new MemberStatus(clientUrl(pod), id, version, dbSize, dbSize / 2, leader, 100, 2, List.of());
  }

  static MemberProbe healthy(String pod, long id, String version, long leader, long dbSize) {
    return new MemberProbe(clientUrl(pod), Optional.of(memberStatus(pod, id, version, leader, dbSize)), true,
        Optional.empty());
  }

  static MemberProbe unreachable(String pod, String error) {
    return new MemberProbe(clientUrl(pod), Optional.empty(), false, Optional.of(error));
  }

  /** etcd's view: probes keyed by endpoint, endpoints keyed by pod name, as the reconciler builds them. */
  static EtcdView.Reached reached(List<EtcdMember> members, List<MemberProbe> probes) {
    Map<URI, MemberProbe> byEndpoint = new LinkedHashMap<>();
    probes.forEach(p -> byEndpoint.put(p.endpoint(), p));
    Map<String, URI> endpointsByPod = new LinkedHashMap<>();
    members.stream().filter(EtcdMember::started).forEach(m -> endpointsByPod.put(m.name(), clientUrl(m.name())));
    return new EtcdView.Reached(new ClusterObservation(CLUSTER_ID, members, byEndpoint, List.of()), endpointsByPod, null);
  }

  /** Three voters, members listed out of order; main-1 leads; versions differ in a way string order gets wrong. */
  static EtcdView.Reached threeHealthy() {
    return reached(
        List.of(member(ID2, "main-2", false), member(ID0, "main-0", false), member(ID1, "main-1", false)),
        List.of(healthy("main-0", ID0, "3.5.21", ID1, 4096), healthy("main-1", ID1, "3.5.9", ID1, 8192),
            healthy("main-2", ID2, "3.5.10", ID1, 12288)));
  }

  static EtcdView.Reached oneOfThreeDown() {
    return reached(
        List.of(member(ID0, "main-0", false), member(ID1, "main-1", false), member(ID2, "main-2", false)),
        List.of(healthy("main-0", ID0, "3.5.21", ID1, 4096), healthy("main-1", ID1, "3.5.21", ID1, 4096),
            unreachable("main-2", "context deadline exceeded")));
  }

  static EtcdView.Reached twoOfThreeDown() {
    return reached(
        List.of(member(ID0, "main-0", false), member(ID1, "main-1", false), member(ID2, "main-2", false)),
        List.of(healthy("main-0", ID0, "3.5.21", ID0, 4096), unreachable("main-1", "connection refused"),
            unreachable("main-2", "connection refused")));
  }

  static EtcdClusterStatus compute(EtcdCluster cluster, ClusterStep step, EtcdView etcd, int pods,
      int readyPods, boolean formed, Clock clock) {
    return ClusterStatusCalculator.compute(
        new ClusterStatusCalculator.Input(cluster, step, etcd, pods, readyPods, SELECTOR, formed), clock);
  }

  static EtcdClusterStatus compute(ClusterStep step, EtcdView etcd, int readyPods, boolean formed) {
    return compute(cluster(), step, etcd, 3, readyPods, formed, CLOCK);
  }

  static Condition condition(EtcdClusterStatus status, String type) {
    List<Condition> matching = status.getConditions().stream().filter(c -> c.getType().equals(type)).toList();
    assertThat(matching).as("conditions of type %s in %s", type, status.getConditions()).hasSize(1);
    return matching.get(0);
  }

  static void assertCondition(EtcdClusterStatus status, String type, String expectedStatus, String reason) {
    Condition c = condition(status, type);
    assertThat(c.getStatus()).as("%s status (%s)", type, c.getMessage()).isEqualTo(expectedStatus);
    assertThat(c.getReason()).as("%s reason (%s)", type, c.getMessage()).isEqualTo(reason);
  }

  /** The status of a healthy three-member cluster, as the previous status of a later reconcile. */
  static EtcdClusterStatus previouslyHealthy() {
    return compute(DONE, threeHealthy(), 3, true);
  }
}
