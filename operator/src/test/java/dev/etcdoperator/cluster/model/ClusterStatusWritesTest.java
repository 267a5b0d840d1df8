package dev.etcdoperator.cluster.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterSpec;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.MembershipChange;
import dev.etcdoperator.testing.TestApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A reconcile handed a cluster from before the operator's own last status write (JOSDK's cache a moment behind) works
 * on what that write recorded, not on the older status: against the API stand-in.
 */
class ClusterStatusWritesTest {
  private static final String NS = "status-writes";
  private static TestApiServer apiServer;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    apiServer = TestApiServer.start();
    apiServer.installCrds();
    client = apiServer.client();
  }

  @AfterAll
  static void stop() {
    if (apiServer != null) {
      apiServer.close();
    }
  }

  @Test
  void aClusterReadFromBeforeOurLastWriteIsReadAgainAndOneReadAfterItIsTakenAsItIs() {
    EtcdCluster created = client.resource(cluster("main")).inNamespace(NS).create();
    ClusterStatusWrites writes = new ClusterStatusWrites(client, "etcdcluster");
    EtcdClusterStatus status = new EtcdClusterStatus();
    status.setMembershipChange(new MembershipChange(MembershipChange.SCALE_OUT, "main-1", "2026-12-05T05:00:00Z"));
    EtcdCluster reconciled = client.resources(EtcdCluster.class).inNamespace(NS).withName("main").get();
    writes.write(reconciled, status);

    EtcdCluster latest = writes.latest(created);

    assertThat(created.getStatus()).as("the cached copy, as JOSDK may hand it over").isNull();
    assertThat(latest.getStatus().getMembershipChange().getMember()).isEqualTo("main-1");
    long reads = getsOfClusters();
    assertThat(writes.latest(latest)).isSameAs(latest);
    assertThat(getsOfClusters()).as("no request for a copy as new as the write").isEqualTo(reads);
  }

  @Test
  void withoutAWriteOfItsOwnTheReadClusterIsTaken() {
    EtcdCluster created = client.resource(cluster("other")).inNamespace(NS).create();

    assertThat(new ClusterStatusWrites(client, "etcdcluster").latest(created)).isSameAs(created);
  }

  private static long getsOfClusters() {
    return apiServer.requestCounts().entrySet().stream().filter(e -> e.getKey().contains("GET")
        && e.getKey().endsWith("etcdclusters")).mapToLong(Map.Entry::getValue).sum();
  }

  private static EtcdCluster cluster(String name) {
    EtcdCluster cluster = new EtcdCluster();
    cluster.getMetadata().setName(name);
    cluster.getMetadata().setNamespace(NS);
    cluster.setSpec(new EtcdClusterSpec());
    cluster.getSpec().setReplicas(1);
    return cluster;
  }
}
