package dev.etcdoperator.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.testing.EtcdProcessCluster;
import dev.etcdoperator.testing.EtcdReleases;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd's downgrade API, which jetcd lacks, called on a real 3.5 cluster (no 3.6 binary exists here): the status
 * fields are read, and the downgrade request reaches etcd's downgrade code, which answers with its own reason.
 */
class EtcdClientDowngradeTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  @TempDir
  Path dir;
  private EtcdProcessCluster cluster;
  private EtcdClient etcd;

  @AfterEach
  void stop() {
    if (etcd != null) {
      etcd.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aThreeFiveMemberReportsItsVersionAndNoDowngradeAndEtcdJudgesTheTargetOfARequest() {
    EtcdReleases.Release release = EtcdReleases.available().exactly("3.5.30");
    cluster = EtcdProcessCluster.builder(dir).binary(release.etcd()).members(3).namePrefix("d").start();
    etcd = EtcdClient.connect(EtcdConnection.plain(cluster.clientUrls(), TIMEOUT));
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
        .until(() -> cluster.clientUrls().stream().allMatch(etcd::isHealthy));

    DowngradeStatus status = etcd.downgradeStatus(cluster.clientUrl(1));
    assertThat(status.version()).isEqualTo("3.5.30");
    assertThat(status.storageVersion()).as("3.5 reports no storage version").isEmpty();
    assertThat(status.downgradeEnabled()).isFalse();
    assertThat(status.downgradeTarget()).isEmpty();

    // etcd reads the target from the request: one minor below the cluster's is valid, anything else is not.
    DowngradeCalls calls = new DowngradeCalls(null, TIMEOUT);
    calls.downgrade(cluster.clientUrl(0), DowngradeCalls.Action.VALIDATE, "3.4");
    for (String target : new String[] {"3.3", "3.5"}) {
      assertThatThrownBy(() -> calls.downgrade(cluster.clientUrl(0), DowngradeCalls.Action.VALIDATE, target))
          .isInstanceOf(EtcdClientException.class)
          .hasMessage("etcd at " + cluster.clientUrl(0) + " rejected downgrade validate " + target
              + ": INVALID_ARGUMENT: etcdserver: invalid downgrade target version");
    }
  }
}
