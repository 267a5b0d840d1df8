package dev.etcdoperator.cluster;

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
    try (EtcdClient etcd = EtcdClient.connect(EtcdConnection.plain(env().etcd().get("frag").clientUrls(),
        Duration.ofSeconds(5)))) {
      for (int i = 0; i < 200; i++) {
        etcd.put("/history", VALUE + i); // 20 MB of history over one key
      }
      etcd.maintenance().compact(etcd.maintenance().revision(env().etcd().get("frag").clientUrl(0)));
    }
    String leader = env().status("frag").getLeader();

    env().resource("frag").edit(c -> {
      c.getMetadata().setAnnotations(Map.of(MaintenanceSpec.DEFRAGMENT_ANNOTATION, "now"));
      return c;
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(condition(env().status("frag"), PROGRESSING).getReason())
        .isEqualTo("Defragmenting"));
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
  }
}
