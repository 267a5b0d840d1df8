package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.DefragmentationReport;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.MaintenanceSpec;
import dev.etcdoperator.api.v1alpha1.MemberDefragmentation;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.CompactOption;
import java.time.Duration;
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
    scenario.apply(scenario.tlsCluster(NAME, 3));
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
    // The schedule comes once the history is compacted, so that no run can have begun before (with an every-minute
    // schedule set from the start, one begun during the writes shrank the files before the one the test watched).
    // The slot missed since the cluster was created is due at once.
    String leader = scenario.get(NAME).getStatus().getLeader();
    scenario.patch(NAME, c -> {
      MaintenanceSpec.Defragmentation defragmentation = new MaintenanceSpec.Defragmentation();
      defragmentation.setSchedule("* * * * *");
      c.getSpec().setMaintenance(new MaintenanceSpec());
      c.getSpec().getMaintenance().setDefragmentation(defragmentation);
      return c;
    });

    Traffic.around(scenario, NAME, () -> scenario.awaitCluster(NAME, "the first scheduled defragmentation finished",
        Duration.ofMinutes(3), etcd -> lastRunStart(etcd) != null));

    DefragmentationReport report = scenario.get(NAME).getStatus().getMaintenance().getLastDefragmentation();
    assertThat(report.getTrigger()).startsWith("scheduled at ");
    assertThat(report.getMembers()).extracting(MemberDefragmentation::getMember).hasSize(3).endsWith(leader);
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
