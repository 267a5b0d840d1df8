package dev.etcdoperator.cluster;

import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.DEFRAGMENTING;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.PROGRESSING;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.READY;
import static dev.etcdoperator.testing.OperatorTestEnvironment.WAIT;
import static dev.etcdoperator.testing.OperatorTestEnvironment.condition;
import static dev.etcdoperator.testing.OperatorTestEnvironment.tls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.DefragmentationReport;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.MaintenanceSpec;
import dev.etcdoperator.api.v1alpha1.MaintenanceStatus;
import dev.etcdoperator.api.v1alpha1.MemberDefragmentation;
import dev.etcdoperator.api.v1alpha1.TlsSpec;
import dev.etcdoperator.etcd.EtcdClient;
import dev.etcdoperator.etcd.EtcdConnection;
import dev.etcdoperator.testing.EtcdProcessCluster;
import dev.etcdoperator.testing.OperatorPerClass;
import dev.etcdoperator.testing.OperatorTestEnvironment;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A defragmentation asked for by annotation, carried out by the real operator on three real members whose database
 * is mostly free pages: one member at a time, followers first, the leader last after leadership moved away; every
 * file shrinks, the data stays, and status and Events tell the story.
 */
class ClusterDefragmentationTest {
  private static final String NS = "defrag-test";
  private static final String VALUE = "x".repeat(100_000);
  @RegisterExtension
  static final OperatorPerClass OPERATOR = new OperatorPerClass(NS);

  private static OperatorTestEnvironment env() {
    return OPERATOR.env();
  }

  @Test
  void aRequestedDefragmentationShrinksEveryMemberOneAtATimeTheLeaderLast(@TempDir Path dir) {
    env().etcd().put("frag", EtcdProcessCluster.builder(dir).members(3).namePrefix("frag").start());
    env().create("frag", c -> c.getSpec().setTls(tls(TlsSpec.Mode.Disabled)));
    await().atMost(WAIT).until(() -> env().get(StatefulSet.class, "frag") != null);
    for (int i = 0; i < 3; i++) {
      env().runReadyPod("frag", i);
    }
    await().atMost(WAIT).until(() -> "True".equals(condition(env().status("frag"), READY).getStatus()));
    long compactedTo = fragment("frag", 200); // 20 MB of history over one key
    await().atMost(WAIT).untilAsserted(() -> assertThat(env().status("frag").getMaintenance()).isNotNull()
        .extracting(MaintenanceStatus::getCompactedRevision).as("compacted revision in status").isEqualTo(compactedTo));
    String leader = env().status("frag").getLeader();

    env().resource("frag").edit(c -> {
      c.getMetadata().setAnnotations(Map.of(MaintenanceSpec.DEFRAGMENT_ANNOTATION, "now"));
      return c;
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(condition(env().status("frag"), PROGRESSING).getReason())
        .isEqualTo("Defragmenting"));
    assertThat(condition(env().status("frag"), DEFRAGMENTING)).satisfies(c -> {
      assertThat(c.getStatus()).isEqualTo("True");
      assertThat(c.getMessage()).startsWith("defragmentation (requested by annotation), ");
    });
    await().atMost(Duration.ofSeconds(120)).until(() -> env().status("frag").getMaintenance() != null
        && env().status("frag").getMaintenance().getLastDefragmentation() != null);

    DefragmentationReport report = env().status("frag").getMaintenance().getLastDefragmentation();
    assertThat(report.getTrigger()).isEqualTo("requested by annotation");
    assertThat(report.getMembers()).extracting(MemberDefragmentation::getMember).hasSize(3).endsWith(leader)
        .containsExactlyInAnyOrder("frag-0", "frag-1", "frag-2");
    assertThat(report.getMembers()).allSatisfy(m -> {
      assertThat(m.getBytesBefore()).isGreaterThan(10_000_000L);
      assertThat(m.getBytesAfter()).isLessThan(m.getBytesBefore() / 4);
    });
    assertThat(env().status("frag").getMaintenance().getDefragmentationRun()).isNull();
    assertThat(env().resource("frag").get().getMetadata().getAnnotations())
        .doesNotContainKey(MaintenanceSpec.DEFRAGMENT_ANNOTATION);
    List<String> reasons = env().eventsAbout("frag").stream().map(Event::getReason).toList();
    assertThat(reasons).contains("DefragmentationStarted", "MemberDefragmented", "LeaderMoved",
        "DefragmentationFinished");
    assertThat(env().status("frag").getLeader()).as("leadership moved away first").isNotEqualTo(leader);
    try (EtcdClient etcd = EtcdClient.connect(EtcdConnection.plain(env().etcd().get("frag").clientUrls(),
        Duration.ofSeconds(5)))) {
      assertThat(etcd.get("/history")).contains(VALUE + 199);
    }
    await().atMost(WAIT).untilAsserted(() -> assertThat(condition(env().status("frag"), PROGRESSING).getReason())
        .isEqualTo("Reconciled"));
    assertThat(condition(env().status("frag"), DEFRAGMENTING)).satisfies(c -> {
      assertThat(c.getStatus()).isEqualTo("False");
      assertThat(c.getReason()).isEqualTo("NotDue");
      assertThat(c.getMessage()).isEqualTo("no schedule or threshold: a run starts when asked for with the "
          + "annotation etcdoperator.dev/defragment=now");
    });
  }

  /**
   * A member crosses the threshold while the cluster is paused: the run is due but held, and the Defragmenting
   * condition says so (Progressing stays with the pause); resumed, the run goes.
   */
  @Test
  void aDueRunHeldByAPauseSaysSoAndGoesOnceResumed(@TempDir Path dir) {
    env().etcd().put("held", EtcdProcessCluster.builder(dir).members(1).namePrefix("held").start());
    env().create("held", c -> {
      c.getSpec().setReplicas(1);
      c.getSpec().setTls(tls(TlsSpec.Mode.Disabled));
      MaintenanceSpec.Defragmentation defragmentation = new MaintenanceSpec.Defragmentation();
      MaintenanceSpec.Threshold threshold = new MaintenanceSpec.Threshold();
      threshold.setFragmentedPercent(20);
      threshold.setReclaimableBytes(1_000_000L);
      defragmentation.setThreshold(threshold);
      c.getSpec().setMaintenance(new MaintenanceSpec());
      c.getSpec().getMaintenance().setDefragmentation(defragmentation);
    });
    await().atMost(WAIT).until(() -> env().get(StatefulSet.class, "held") != null);
    env().runReadyPod("held", 0);
    await().atMost(WAIT).untilAsserted(() -> assertThat(condition(env().status("held"), DEFRAGMENTING))
        .satisfies(c -> {
          assertThat(c.getStatus()).isEqualTo("False");
          assertThat(c.getReason()).isEqualTo("NotDue");
          assertThat(c.getMessage()).startsWith("a run starts when a member has 20% of its database and 1.0 MiB "
              + "free to reclaim; most now: held-0 with ");
        }));
    env().editSpec("held", c -> {
      c.getSpec().setPaused(true);
      return c;
    });
    await().atMost(WAIT).until(() -> "Paused".equals(condition(env().status("held"), PROGRESSING).getReason()));
    fragment("held", 50);

    await().atMost(WAIT).untilAsserted(() -> assertThat(condition(env().status("held"), DEFRAGMENTING))
        .satisfies(c -> {
          assertThat(c.getStatus()).isEqualTo("False");
          assertThat(c.getReason()).as(c.getMessage()).isEqualTo("DefragmentationWaitsForChange");
          assertThat(c.getMessage()).startsWith("defragmentation waits: ");
        }));
    assertThat(env().status("held").getMaintenance() == null
        || env().status("held").getMaintenance().getDefragmentationRun() == null).as("no run started").isTrue();

    env().editSpec("held", c -> {
      c.getSpec().setPaused(false);
      return c;
    });
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(env().status("held").getMaintenance()).isNotNull();
      assertThat(env().status("held").getMaintenance().getLastDefragmentation()).isNotNull();
      assertThat(env().status("held").getMaintenance().getLastDefragmentation().getTrigger())
          .startsWith("threshold crossed: held-0 has ");
      assertThat(condition(env().status("held"), DEFRAGMENTING).getReason()).isEqualTo("NotDue");
    });
  }

  /**
   * Writes {@code count} 100 kB versions of one key and compacts them away: mostly free pages.
   *
   * @return the revision compacted to
   */
  private static long fragment(String cluster, int count) {
    try (EtcdClient etcd = EtcdClient.connect(EtcdConnection.plain(env().etcd().get(cluster).clientUrls(),
        Duration.ofSeconds(5)))) {
      for (int i = 0; i < count; i++) {
        etcd.put("/history", VALUE + i);
      }
      long revision = etcd.maintenance().revision(env().etcd().get(cluster).clientUrl(0));
      etcd.maintenance().compact(revision);
      // bbolt frees the compacted pages for good at the commit after the one that released them
      etcd.put("/after-compaction", "x");
      return revision;
    }
  }
}
