package dev.etcdoperator.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.etcdoperator.testing.EtcdProcessCluster;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real three-member cluster with a 2 MiB backend quota, filled until etcd raises NOSPACE: the alarm is reported as
 * the cluster's state, and the members, which still serve linearizable reads, stay healthy (an alarm is no quorum
 * loss).
 */
class EtcdClientAlarmTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @Test
  void aNoSpaceAlarmIsReportedAsSuchAndLeavesTheMembersHealthy(@TempDir Path dir) {
    try (EtcdProcessCluster etcd = EtcdProcessCluster.builder(dir).members(3).namePrefix("full")
        .extraArgs("--quota-backend-bytes=2097152").start();
        EtcdClient client = EtcdClient.connect(EtcdConnection.plain(etcd.clientUrls(), TIMEOUT))) {
      String value = "x".repeat(100_000);
      assertThatThrownBy(() -> {
        for (int i = 0; i < 100; i++) {
          client.put("/fill/" + i, value);
        }
      }).as("writes refused once the quota is reached").hasMessageContaining("database space exceeded");

      ClusterObservation observed = client.observe(etcd.clientUrls());

      assertThat(observed.alarms()).extracting(EtcdAlarm::type).containsOnly(EtcdAlarm.NOSPACE).isNotEmpty();
      assertThat(observed.probes().values()).hasSize(3).allMatch(MemberProbe::healthy);
      assertThat(observed.leaderId()).isPresent();
      URI first = etcd.clientUrls().get(0);
      assertThat(client.isHealthy(first)).as("like etcdctl endpoint health: not healthy while an alarm is on")
          .isFalse();
    }
  }
}
