package dev.etcdoperator.cluster;

import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.DEGRADED;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.READY;
import static dev.etcdoperator.testing.OperatorTestEnvironment.WAIT;
import static dev.etcdoperator.testing.OperatorTestEnvironment.condition;
import static dev.etcdoperator.testing.OperatorTestEnvironment.tls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.EtcdTuning;
import dev.etcdoperator.api.v1alpha1.TlsSpec;
import dev.etcdoperator.etcd.EtcdClient;
import dev.etcdoperator.etcd.EtcdConnection;
import dev.etcdoperator.testing.EtcdProcessCluster;
import dev.etcdoperator.testing.OperatorPerClass;
import dev.etcdoperator.testing.OperatorTestEnvironment;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * NOSPACE without a human, by the real operator on three real members with a 4 MiB quota: a database full of history
 * is compacted, defragmented and disarmed, and takes writes again; one full of live data keeps the alarm, and
 * Degraded says why and what to do; a paused cluster is left as it is.
 */
class ClusterNoSpaceTest {
  private static final String NS = "nospace-test";
  private static final long QUOTA = 4L * 1024 * 1024;
  private static final String VALUE = "x".repeat(100_000);
  @RegisterExtension
  static final OperatorPerClass OPERATOR = new OperatorPerClass(NS);

  private static OperatorTestEnvironment env() {
    return OPERATOR.env();
  }

  @Test
  void aDatabaseFullOfHistoryIsRecoveredAndTakesWritesAgain(@TempDir Path dir) {
    EtcdClient etcd = startCluster("hist", dir);
    try (etcd) {
      assertThatThrownBy(() -> {
        for (int i = 0; i < 100; i++) {
          etcd.put("/same-key", VALUE + i);
        }
      }).hasMessageContaining("database space exceeded");

      await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(env().eventsAbout("hist"))
          .extracting(Event::getReason).contains("NoSpaceRecoveryStarted", "NoSpaceDisarmed"));
      await().atMost(WAIT).untilAsserted(() -> etcd.put("/after", "recovered"));
      assertThat(etcd.get("/after")).contains("recovered");
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(condition(env().status("hist"), READY).getStatus()).isEqualTo("True");
        assertThat(env().status("hist").getMaintenance().getLastNoSpaceRecoveryEnded()).isNotNull();
        assertThat(env().status("hist").getMaintenance().getNoSpaceRecovery()).isNull();
      });
    }
  }

  @Test
  void aDatabaseFullOfLiveDataKeepsTheAlarmAndSaysWhatToDo(@TempDir Path dir) {
    EtcdClient etcd = startCluster("live", dir);
    try (etcd) {
      assertThatThrownBy(() -> {
        for (int i = 0; i < 100; i++) {
          etcd.put("/key-" + i, VALUE);
        }
      }).hasMessageContaining("database space exceeded");

      await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
        Condition degraded = condition(env().status("live"), DEGRADED);
        assertThat(degraded.getReason()).isEqualTo("NoSpace");
        assertThat(degraded.getMessage()).startsWith("NOSPACE stays: after compaction and defragmentation the "
            + "database is still at or over 80% of the 4194304-byte quota").contains("the live data fills it. Raise "
            + "spec.etcd.quotaBackendBytes");
      });
      assertThat(env().eventsAbout("live")).extracting(Event::getReason).contains("NoSpaceDataFillsQuota")
          .doesNotContain("NoSpaceDisarmed");
      assertThatThrownBy(() -> etcd.put("/still", "full")).hasMessageContaining("database space exceeded");
    }
  }

  @Test
  void aPausedClusterIsLeftAlone(@TempDir Path dir) {
    EtcdClient etcd = startCluster("paused", dir);
    try (etcd) {
      env().editSpec("paused", c -> {
        c.getSpec().setPaused(true);
        return c;
      });
      assertThatThrownBy(() -> {
        for (int i = 0; i < 100; i++) {
          etcd.put("/same-key", VALUE + i);
        }
      }).hasMessageContaining("database space exceeded");

      await().atMost(WAIT).untilAsserted(() -> assertThat(condition(env().status("paused"), DEGRADED).getReason())
          .isEqualTo("NoSpace"));
      await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(env().eventsAbout("paused")).extracting(Event::getReason)
              .doesNotContain("NoSpaceRecoveryStarted"));
      assertThatThrownBy(() -> etcd.put("/still", "full")).hasMessageContaining("database space exceeded");
    }
  }

  /** Three real members with a small quota, the EtcdCluster that owns them, Ready; a plain client of them. */
  private static EtcdClient startCluster(String name, Path dir) {
    env().etcd().put(name, EtcdProcessCluster.builder(dir).members(3).namePrefix(name)
        .extraArgs("--quota-backend-bytes=" + QUOTA).start());
    env().create(name, c -> {
      c.getSpec().setTls(tls(TlsSpec.Mode.Disabled));
      EtcdTuning tuning = new EtcdTuning();
      tuning.setQuotaBackendBytes(QUOTA);
      c.getSpec().setEtcd(tuning);
    });
    await().atMost(WAIT).until(() -> env().get(StatefulSet.class, name) != null);
    for (int i = 0; i < 3; i++) {
      env().runReadyPod(name, i);
    }
    await().atMost(WAIT).until(() -> "True".equals(condition(env().status(name), READY).getStatus()));
    return EtcdClient.connect(EtcdConnection.plain(env().etcd().get(name).clientUrls(), Duration.ofSeconds(5)));
  }
}
