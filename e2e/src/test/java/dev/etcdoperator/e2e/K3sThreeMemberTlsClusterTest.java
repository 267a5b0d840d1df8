package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterSpec;
import dev.etcdoperator.api.v1alpha1.TlsSpec;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scenario (a) on the {@code k3s} backend: a three-member cluster with default TLS becomes Ready; 1,000 keys written
 * and read back with the client certificate. The client Service is not reachable from this JVM (it is inside K3s), so
 * the keys go through a port-forward to a member, on 127.0.0.1, which the server certificates name.
 *
 * <p>Skipped, with the reason, where Docker is not available or the K3s image is not present locally: decided before
 * anything is started or pulled.
 */
class K3sThreeMemberTlsClusterTest {
  private static final String NAMESPACE = "e2e-k3s-a";
  private static final String NAME = "main";
  private static K3sCluster cluster;

  @RegisterExtension
  static final PodLogsOnFailure LOGS = new PodLogsOnFailure(() -> {
    if (cluster == null) {
      return null;
    }
    cluster.saveLogs();
    return cluster.logsDir();
  });

  /** Why the backend cannot run here (empty when it can), decided before anything is started or pulled. */
  private static Optional<String> unavailable;

  @BeforeAll
  static void startBackend() {
    unavailable = K3sCluster.unavailableReason();
    unavailable.ifPresent(System.out::println);
    if (unavailable.isEmpty()) {
      cluster = new K3sCluster("three-member-tls", NAMESPACE);
    }
  }

  /**
   * The skip itself is per test, not in {@code @BeforeAll}: surefire reports a class aborted in {@code @BeforeAll}
   * as "Tests run: 0" with no reason, while an aborted test is reported as skipped with the message.
   */
  @BeforeEach
  void skipWhereK3sCannotRun() {
    Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.orElseThrow());
  }

  @AfterAll
  static void stopBackend() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void becomesReadyAndServesKeysThroughAPortForwardToAMember() throws Exception {
    Instant start = Instant.now();
    EtcdCluster etcd = new EtcdCluster();
    etcd.getMetadata().setName(NAME);
    etcd.getMetadata().setNamespace(NAMESPACE);
    etcd.setSpec(new EtcdClusterSpec());
    etcd.getSpec().setReplicas(3);
    TlsSpec tls = new TlsSpec();
    TlsSpec.ClientCertificate app = new TlsSpec.ClientCertificate();
    app.setName(Scenario.CLIENT_CERTIFICATE);
    tls.getClientCertificates().add(app);
    etcd.getSpec().setTls(tls);
    etcd.setStatus(null);
    clusters().resource(etcd).create();

    // Real image pulls (etcd, inside K3s) and real volume provisioning: more time than the local backend needs.
    await("EtcdCluster Ready").atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(1))
        .until(() -> Scenario.hasCondition(clusters().withName(NAME).get(), "Ready", "True"));
    EtcdCluster ready = clusters().withName(NAME).get();
    System.out.println("time to Ready on k3s: " + Duration.between(start, Instant.now()).toMillis() + " ms");
    assertThat(ready.getStatus().getMembers()).hasSize(3);
    assertThat(ready.getStatus().getReadyReplicas()).isEqualTo(3);

    try (LocalPortForward forward = cluster.forwardToMember(NAME + "-0");
        Client client = ServiceClient.connect(cluster.client(), NAMESPACE, NAME, Scenario.CLIENT_CERTIFICATE,
            cluster.workDir().resolve("client-" + NAME), "https://127.0.0.1:" + forward.getLocalPort())) {
      Scenario.writeKeys(client, "/e2e/", 1000);
      Map<String, String> all = Scenario.readKeys(client, "/e2e/");
      assertThat(all).hasSize(1000);
      all.forEach((key, value) -> assertThat(value)
          .isEqualTo("value-" + Integer.parseInt(key.substring("/e2e/".length()))));
    }
  }

  private static NonNamespaceOperation<EtcdCluster, KubernetesResourceList<EtcdCluster>, Resource<EtcdCluster>>
      clusters() {
    return cluster.client().resources(EtcdCluster.class).inNamespace(NAMESPACE);
  }
}
