package dev.etcdoperator.resources;

import dev.etcdoperator.testing.TestClusters;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClusterNamesTest {
  private final ClusterNames names = new ClusterNames("main", "db");

  @Test
  void namesOwnedObjectsAsTheGuideSays() {
    assertThat(names.statefulSet()).isEqualTo("main");
    assertThat(names.peerService()).isEqualTo("main-peer");
    assertThat(names.clientService()).isEqualTo("main");
    assertThat(names.configMap()).isEqualTo("main-config");
    assertThat(names.podDisruptionBudget()).isEqualTo("main");
    assertThat(names.podName(2)).isEqualTo("main-2");
  }

  @Test
  void membersAreAddressedThroughThePeerService() {
    assertThat(names.memberPeerHost(0)).isEqualTo("main-0.main-peer.db.svc");
    assertThat(names.peerUrl(1, "http")).isEqualTo("http://main-1.main-peer.db.svc:2380");
    assertThat(names.clientUrl(2, "https")).isEqualTo("https://main-2.main-peer.db.svc:2379");
  }

  @Test
  void portsAreEtcdDefaultsPlusTheMetricsListener() {
    assertThat(ClusterNames.CLIENT_PORT).isEqualTo(2379);
    assertThat(ClusterNames.PEER_PORT).isEqualTo(2380);
    assertThat(ClusterNames.METRICS_PORT).isEqualTo(2381);
  }

  @Test
  void derivesFromTheClusterObject() {
    assertThat(ClusterNames.of(TestClusters.cluster(s -> {}))).isEqualTo(new ClusterNames("main", "db"));
  }
}
