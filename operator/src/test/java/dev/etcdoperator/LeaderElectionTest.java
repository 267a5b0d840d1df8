package dev.etcdoperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterSpec;
import dev.etcdoperator.access.MemberEndpoints;
import dev.etcdoperator.config.OperatorConfig;
import dev.etcdoperator.support.EtcdVersion;
import dev.etcdoperator.support.IpFamily;
import dev.etcdoperator.testing.TestApiServer;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two operator replicas share one Lease: one reconciles, and the other takes over when it stops. */
class LeaderElectionTest {
  private static final String NS = "leader-election";
  private static final Duration WAIT = Duration.ofSeconds(40);
  private static final MemberEndpoints NO_MEMBERS = (cluster, pods) -> Map.of();

  private TestApiServer apiServer;
  /** One client per operator (each closes what it is given), and one for the test's own reads. */
  private KubernetesClient clientA;
  private KubernetesClient clientB;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    apiServer = TestApiServer.start();
    clientA = apiServer.newClient();
    clientB = apiServer.newClient();
    client = apiServer.client();
    apiServer.installCrds();
  }

  @AfterEach
  void stop() {
    clientA.close();
    clientB.close();
    apiServer.close();
  }

  @Test
  void standbyTakesOverWhenTheLeaderStops() {
    AtomicInteger lostLeadership = new AtomicInteger();

    EtcdOperator a = new EtcdOperator(clientA, config("replica-a"), NO_MEMBERS, Clock.systemUTC(),
        lostLeadership::incrementAndGet);
    a.start();
    await().atMost(WAIT).until(() -> holder(client), "replica-a"::equals);
    EtcdOperator b = new EtcdOperator(clientB, config("replica-b"), NO_MEMBERS, Clock.systemUTC(),
        lostLeadership::incrementAndGet);
    b.start();

    create(client, "first");
    await().atMost(WAIT).until(() -> statefulSet(client, "first") != null);
    assertThat(holder(client)).isEqualTo("replica-a");

    a.close();
    await().atMost(WAIT).until(() -> holder(client), "replica-b"::equals);
    create(client, "second");
    await().atMost(WAIT).until(() -> statefulSet(client, "second") != null);

    b.close();
    // Stopping is not losing: neither replica treated its own shutdown as a lost lease.
    assertThat(lostLeadership).hasValue(0);
  }

  @Test
  void aLeaderThatStopsGivesItsLeaseUp() {
    EtcdOperator a = new EtcdOperator(clientA, config("replica-a"), NO_MEMBERS, Clock.systemUTC(), () -> { });
    a.start();
    await().atMost(WAIT).until(() -> holder(client), "replica-a"::equals);

    a.close();

    // What `kubectl get lease` shows: no holder, so a standby need not wait out the 15 s the Lease was held for.
    Lease released = client.leases().inNamespace(NS).withName("etcd-operator-leader").get();
    assertThat(released.getSpec().getHolderIdentity()).isNull();
    assertThat(released.getSpec().getLeaseDurationSeconds()).isEqualTo(1);
    try (EtcdOperator b = new EtcdOperator(clientB, config("replica-b"), NO_MEMBERS, Clock.systemUTC(), () -> { })) {
      b.start();
      await().atMost(WAIT).until(() -> holder(client), "replica-b"::equals);
    }
  }

  @Test
  void withoutLeaderElectionAStoppingOperatorGivesItsClustersLeasesUp() {
    create(client, "main");
    EtcdOperator a = new EtcdOperator(clientA, config("pod-a", false), NO_MEMBERS, Clock.systemUTC(), () -> { });
    a.start();
    await().atMost(WAIT).until(() -> clusterLeaseHolder(client), "unelected/pod-a"::equals);

    a.close();

    // Its replacement is another installation (named after its pod), which would otherwise wait until the Lease,
    // renewed at most 10 s before, ran out: 30 s after that renewal.
    assertThat(clusterLeaseHolder(client)).isNull();
    try (EtcdOperator b = new EtcdOperator(clientB, config("pod-b", false), NO_MEMBERS, Clock.systemUTC(),
        () -> { })) {
      b.start();
      await().atMost(Duration.ofSeconds(15)).until(() -> clusterLeaseHolder(client), "unelected/pod-b"::equals);
    }
  }

  private static OperatorConfig config(String identity) {
    return config(identity, true);
  }

  private static OperatorConfig config(String identity, boolean leaderElection) {
    return new OperatorConfig(Set.of(), new EtcdVersion(3, 4, 23), "gcr.io/etcd-development/etcd",
        OperatorConfig.MemberAccess.DIRECT, Duration.ofSeconds(2), Duration.ofSeconds(60), 0, leaderElection,
        "etcd-operator-leader", NS, identity, "cluster.local", OperatorConfig.DEFAULT_OPERATOR_IMAGE,
          OperatorConfig.DEFAULT_REPLACE_FAILING_MEMBER_AFTER,
          IpFamily.IPV4);
  }

  private static String holder(KubernetesClient client) {
    Lease lease = client.leases().inNamespace(NS).withName("etcd-operator-leader").get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static String clusterLeaseHolder(KubernetesClient client) {
    Lease lease = client.leases().inNamespace(NS).withName("main-operator").get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static void create(KubernetesClient client, String name) {
    EtcdCluster cluster = new EtcdCluster();
    cluster.getMetadata().setName(name);
    cluster.getMetadata().setNamespace(NS);
    cluster.setSpec(new EtcdClusterSpec());
    cluster.setStatus(null);
    client.resources(EtcdCluster.class).inNamespace(NS).resource(cluster).create();
  }

  private static StatefulSet statefulSet(KubernetesClient client, String name) {
    return client.apps().statefulSets().inNamespace(NS).withName(name).get();
  }
}
