package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.DefragmentationReport;
import dev.etcdoperator.api.v1alpha1.DefragmentationRun;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.MaintenanceSpec;
import dev.etcdoperator.api.v1alpha1.MemberDefragmentation;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.CompactOption;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A scheduled defragmentation (every minute here) of a TLS cluster whose database is mostly free pages, through the
 * real operator, under an application that writes throughout: every member's file shrinks, the leader goes last,
 * no acknowledged write is lost, and status and Events show it.
 */
@ClassTemplate
@ExtendWith(Backends.class)
class ScheduledDefragmentationTest {
  private static final String NAME = "defrag";

  @Test
  void aScheduledRunShrinksEveryMemberUnderTraffic(Scenario scenario) {
    EtcdCluster cluster = scenario.tlsCluster(NAME, 3);
    MaintenanceSpec.Defragmentation defragmentation = new MaintenanceSpec.Defragmentation();
    defragmentation.setSchedule("* * * * *");
    cluster.getSpec().setMaintenance(new MaintenanceSpec());
    cluster.getSpec().getMaintenance().setDefragmentation(defragmentation);
    scenario.apply(cluster);
    scenario.awaitReady(NAME);
    try (Client client = scenario.serviceClient(NAME)) {
      String value = "x".repeat(100_000);
      for (int i = 0; i < 200; i++) {
        Scenario.join(client.getKVClient().put(Scenario.bytes("/history"), Scenario.bytes(value + i)));
      }
      long revision = Scenario.join(client.getKVClient().get(Scenario.bytes("/history"))).getHeader().getRevision();
      Scenario.join(client.getKVClient().compact(revision, CompactOption.newBuilder().withCompactPhysical(true)
          .build()));
    }
    // A run may have started while the history was written (the schedule is every minute): only one started after
    // the compaction has free pages to give back.
    Instant compacted = Instant.now();
    String[] leader = new String[1];

    Traffic.around(scenario, NAME, () -> {
      scenario.awaitCluster(NAME, "a scheduled defragmentation started after the database was fragmented",
          Duration.ofMinutes(2), etcd -> {
            DefragmentationRun run = etcd.getStatus().getMaintenance() == null ? null
                : etcd.getStatus().getMaintenance().getDefragmentationRun();
            leader[0] = etcd.getStatus().getLeader();
            return run != null && Instant.parse(run.getStartedAt()).isAfter(compacted);
          });
      scenario.awaitCluster(NAME, "that defragmentation finished", Duration.ofMinutes(2), etcd -> {
        String started = lastRunStart(etcd);
        return started != null && Instant.parse(started).isAfter(compacted);
      });
    });

    DefragmentationReport report = scenario.get(NAME).getStatus().getMaintenance().getLastDefragmentation();
    assertThat(report.getTrigger()).startsWith("scheduled at ");
    assertThat(report.getMembers()).extracting(MemberDefragmentation::getMember).hasSize(3).endsWith(leader[0]);
    assertThat(report.getMembers()).allSatisfy(m -> assertThat(m.getBytesBefore()).isGreaterThan(10_000_000L));
    assertThat(report.getMembers()).allSatisfy(m -> assertThat(m.getBytesAfter()).isLessThan(m.getBytesBefore() / 4));
    assertThat(scenario.eventReasons(NAME)).contains("DefragmentationStarted", "MemberDefragmented", "LeaderMoved",
        "DefragmentationFinished");
  }

  private static String lastRunStart(EtcdCluster etcd) {
    return etcd.getStatus().getMaintenance() == null || etcd.getStatus().getMaintenance().getLastDefragmentation()
        == null ? null : etcd.getStatus().getMaintenance().getLastDefragmentation().getStartedAt();
  }
}
