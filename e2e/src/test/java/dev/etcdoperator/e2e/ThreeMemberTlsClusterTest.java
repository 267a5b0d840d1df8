package dev.etcdoperator.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterSpec;
import dev.etcdoperator.api.v1alpha1.TlsSpec;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.options.GetOption;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Scenario (a): a three-member cluster with default TLS becomes Ready; 1,000 keys through the client Service. */
class ThreeMemberTlsClusterTest {
  private static final String NAMESPACE = "e2e-a";
  private static final String NAME = "main";
  private static LocalCluster cluster;

  @RegisterExtension
  static final PodLogsOnFailure LOGS = new PodLogsOnFailure(() -> cluster == null ? null : cluster.logsDir());

  @BeforeAll
  static void startBackend() {
    cluster = new LocalCluster("three-member-tls", NAMESPACE);
  }

  @AfterAll
  static void noEtcdOutlivesTheTest() {
    NoProcessOutlives.closeAndCheck(cluster);
  }

  @Test
  void becomesReadyAndServesKeysThroughTheClientService() throws Exception {
    Instant start = Instant.now();
    EtcdCluster etcd = new EtcdCluster();
    etcd.getMetadata().setName(NAME);
    etcd.getMetadata().setNamespace(NAMESPACE);
    etcd.setSpec(new EtcdClusterSpec());
    etcd.getSpec().setReplicas(3);
    TlsSpec tls = new TlsSpec();
    TlsSpec.ClientCertificate app = new TlsSpec.ClientCertificate();
    app.setName("e2e");
    tls.getClientCertificates().add(app);
    etcd.getSpec().setTls(tls);
    etcd.setStatus(null);
    cluster.client().resources(EtcdCluster.class).inNamespace(NAMESPACE).resource(etcd).create();

    await("EtcdCluster Ready").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
        .until(() -> ready(cluster.client().resources(EtcdCluster.class).inNamespace(NAMESPACE).withName(NAME)
            .get()));
    EtcdCluster ready = cluster.client().resources(EtcdCluster.class).inNamespace(NAMESPACE).withName(NAME).get();
    System.out.println("time to Ready: " + Duration.between(start, Instant.now()).toMillis() + " ms");
    assertThat(ready.getStatus().getMembers()).hasSize(3);
    assertThat(ready.getStatus().getReadyReplicas()).isEqualTo(3);

    try (Client client = ServiceClient.connect(cluster.client(), NAMESPACE, NAME, "e2e",
        cluster.workDir().resolve("client-e2e"))) {
      KV kv = client.getKVClient();
      List<CompletableFuture<?>> puts = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        puts.add(kv.put(key(i), ByteSequence.from("value-" + i, UTF_8)));
        if (puts.size() == 100) {
          CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
          puts.clear();
        }
      }
      CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

      var all = kv.get(ByteSequence.from("/e2e/", UTF_8),
          GetOption.builder().isPrefix(true).build()).get(30, TimeUnit.SECONDS);
      assertThat(all.getKvs()).hasSize(1000);
      for (int i = 0; i < 1000; i += 97) {
        var one = kv.get(key(i)).get(10, TimeUnit.SECONDS);
        assertThat(one.getKvs()).hasSize(1);
        assertThat(one.getKvs().get(0).getValue().toString(UTF_8)).isEqualTo("value-" + i);
      }
      all.getKvs().forEach(k -> assertThat(k.getValue().toString(UTF_8))
          .isEqualTo("value-" + Integer.parseInt(k.getKey().toString(UTF_8).substring("/e2e/".length()))));
    }
  }

  private static ByteSequence key(int i) {
    return ByteSequence.from("/e2e/" + String.format("%04d", i), UTF_8);
  }

  private static boolean ready(EtcdCluster etcd) {
    if (etcd == null || etcd.getStatus() == null || etcd.getStatus().getConditions() == null) {
      return false;
    }
    Optional<Condition> ready = etcd.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType())).findFirst();
    return ready.map(c -> "True".equals(c.getStatus())).orElse(false);
  }
}
