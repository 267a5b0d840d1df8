package dev.etcdoperator.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.testing.EtcdProcessCluster;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The maintenance calls on a real three-member cluster: history written over and over fills the database, a
 * compaction frees its pages, and defragmenting each member gives the space back to the file system; a cluster that
 * hit NOSPACE from history alone takes writes again after compaction, defragmentation and disarming.
 */
class EtcdMaintenanceTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final String VALUE = "x".repeat(100_000);

  @Test
  void compactionThenDefragmentationShrinksEveryMembersDatabase(@TempDir Path dir) {
    try (EtcdProcessCluster etcd = EtcdProcessCluster.builder(dir).members(3).namePrefix("frag").start();
        EtcdClient client = EtcdClient.connect(EtcdConnection.plain(etcd.clientUrls(), TIMEOUT))) {
      awaitHealthy(client, etcd.clientUrls());
      for (int i = 0; i < 200; i++) {
        client.put("/same-key", VALUE + i); // 20 MB of history for one live key
      }
      EtcdMaintenance maintenance = client.maintenance();
      assertThat(maintenance.compactedRevision()).as("never compacted").isZero();
      long revision = maintenance.revision(etcd.clientUrl(0));
      maintenance.compact(revision);
      maintenance.compact(revision); // again, as a retried step would: etcd says it is compacted already
      assertThat(maintenance.compactedRevision()).isEqualTo(revision);

      for (URI member : etcd.clientUrls()) {
        EtcdMaintenance.Defragmented result = maintenance.defragment(member, Duration.ofSeconds(30));
        assertThat(result.bytesBefore()).as("%s before", member).isGreaterThan(10_000_000L);
        assertThat(result.bytesAfter()).as("%s after", member).isLessThan(result.bytesBefore() / 4);
      }
      assertThat(client.get("/same-key")).contains(VALUE + 199);
    }
  }

  @Test
  void aClusterFullOfHistoryTakesWritesAgainAfterCompactionDefragmentationAndDisarm(@TempDir Path dir) {
    try (EtcdProcessCluster etcd = EtcdProcessCluster.builder(dir).members(3).namePrefix("full")
        .extraArgs("--quota-backend-bytes=4194304").start();
        EtcdClient client = EtcdClient.connect(EtcdConnection.plain(etcd.clientUrls(), TIMEOUT))) {
      awaitHealthy(client, etcd.clientUrls());
      assertThatThrownBy(() -> {
        for (int i = 0; i < 100; i++) {
          client.put("/same-key", VALUE + i);
        }
      }).hasMessageContaining("database space exceeded");
      List<EtcdAlarm> alarms = client.observe(etcd.clientUrls()).alarms();
      assertThat(alarms).extracting(EtcdAlarm::type).containsOnly(EtcdAlarm.NOSPACE).isNotEmpty();

      EtcdMaintenance maintenance = client.maintenance();
      maintenance.compact(maintenance.revision(etcd.clientUrl(0)));
      for (URI member : etcd.clientUrls()) {
        maintenance.defragment(member, Duration.ofSeconds(30));
      }
      alarms.forEach(maintenance::disarmNoSpace);

      assertThat(client.observe(etcd.clientUrls()).alarms()).isEmpty();
      client.put("/after", "recovered");
      assertThat(client.get("/after")).contains("recovered");
      assertThatThrownBy(() -> maintenance.disarmNoSpace(new EtcdAlarm(1, EtcdAlarm.CORRUPT)))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("only NOSPACE alarms are disarmed, not CORRUPT on "
              + "member 1");
    }
  }

  private static void awaitHealthy(EtcdClient client, List<URI> members) {
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
        .until(() -> members.stream().allMatch(client::isHealthy));
  }
}
