package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.RolloutSpec;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rolling a changed pod template out while an application writes throughout and a probe reads every 100 ms: a
 * patch-version change restarts one member at a time, the leader last; a release that fails to start stops the
 * rollout after one member with the cluster still available, and fixing the spec resumes it; a version etcd cannot
 * move to is refused before anything is touched. Failing members are replaced after five seconds here (instead of
 * five minutes), so that a release that crash-loops does so for longer than that before the rollout stalls.
 */
@ClassTemplate
@ExtendWith(Backends.class)
@ReplaceFailingMembersAfter(seconds = 5)
class RollingUpdateTest {
  private static final String BROKEN_IMAGE = "example.org/" + ContainerProcess.BROKEN_IMAGE_MARK + "/etcd:v3.4.23";

  @Test
  void aPatchVersionRolloutRestartsOneMemberAtATimeTheLeaderLast(Scenario scenario) {
    String name = "roll";
    EtcdCluster etcd = scenario.tlsCluster(name, 3);
    etcd.getSpec().setVersion("3.4.22");
    scenario.apply(etcd);
    scenario.awaitReady(name);
    String leader = scenario.get(name).getStatus().getLeader();
    long termBefore = scenario.raftTerm(name, 3);

    String before = revision(scenario, name);
    Traffic.around(scenario, name, () -> {
      scenario.patch(name, c -> {
        c.getSpec().setVersion("3.4.23");
        return c;
      });
      awaitRolledOut(scenario, name, before);
    });

    assertThat(pods(scenario, name)).extracting(p -> p.getSpec().getContainers().get(0).getImage())
        .allMatch(image -> image.endsWith(":v3.4.23"));
    List<Event> restarts = events(scenario, name, "MemberRestarted");
    assertThat(restarts).hasSize(3).allSatisfy(e -> assertThat(e.getMessage()).contains(":v3.4.22 -> ")
        .contains(":v3.4.23"));
    assertThat(restarts.get(2).getMessage()).as("the leader restarts last").startsWith("restarting " + leader + " ");
    assertThat(events(scenario, name, "LeaderMoved")).hasSize(1);
    long elections = scenario.raftTerm(name, 3) - termBefore;
    assertThat(elections).as("elections (raft term growth)").isLessThanOrEqualTo(3);
  }

  @Test
  void aReleaseThatFailsToStartStopsTheRolloutAfterOneMemberUntilTheSpecIsFixed(Scenario scenario) {
    String name = "stall";
    scenario.apply(withProgressDeadline(scenario.tlsCluster(name, 3), 15));
    scenario.awaitReady(name);
    List<String> memberIds = memberIds(scenario, name);

    Traffic.around(scenario, name, () -> {
      scenario.patch(name, c -> {
        c.getSpec().setImage(BROKEN_IMAGE);
        return c;
      });
      await("the rollout stalls").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
          .until(() -> condition(scenario.get(name), "Progressing").equals(java.util.Optional.of("RolloutStalled")));
      EtcdCluster stalled = scenario.get(name);
      assertThat(Scenario.hasCondition(stalled, "Progressing", "False")).isTrue();
      assertThat(condition(stalled, "Degraded")).contains("RolloutStalled");
      assertThat(Scenario.hasCondition(stalled, "Available", "True")).as("still available").isTrue();
      assertThat(stalled.getStatus().getRollout().getUpdatedMembers()).isEqualTo(1);
      // It crash-looped for longer than the replacement delay, yet the template is what fails: never replaced.
      assertThat(events(scenario, name, "MemberRemoved")).as("no member replaced").isEmpty();
      assertThat(memberIds(scenario, name)).isEqualTo(memberIds);
      await("the rollout stays stopped").during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
          .until(() -> pods(scenario, name).stream().filter(p -> image(p).equals(BROKEN_IMAGE)).count() == 1
              && events(scenario, name, "MemberRestarted").size() == 1);

      String broken = revision(scenario, name);
      scenario.patch(name, c -> {
        c.getSpec().setImage(null);
        return c;
      });
      awaitRolledOut(scenario, name, broken);
    });
    assertThat(pods(scenario, name)).extracting(RollingUpdateTest::image).noneMatch(BROKEN_IMAGE::equals);
  }

  @Test
  void aMinorUpgradeWithoutABackupDestinationIsAnnouncedWithAWarning(Scenario scenario) {
    String name = "minor";
    scenario.apply(withProgressDeadline(scenario.tlsCluster(name, 1), 10));
    scenario.awaitReady(name);

    scenario.patch(name, c -> {
      c.getSpec().setVersion("3.5.21");
      return c;
    });
    // The stand-in runs etcd 3.4 for every tag, so what happens after the restart is not the point here.
    await("the warning").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(250))
        .until(() -> !events(scenario, name, "MinorUpgradeWithoutSnapshot").isEmpty());
    Event warning = events(scenario, name, "MinorUpgradeWithoutSnapshot").get(0);
    assertThat(warning.getType()).isEqualTo("Warning");
    assertThat(warning.getMessage()).isEqualTo("upgrading from 3.4.23 to 3.5.21, which etcd cannot undo, without a "
        + "snapshot first: no backup destination is configured (spec.backup)");
  }

  @Test
  void skippingAMinorVersionIsRefusedWithAClearMessageAndNothingIsTouched(Scenario scenario) {
    String name = "skip";
    scenario.apply(scenario.tlsCluster(name, 1));
    scenario.awaitReady(name);
    String podUid = pods(scenario, name).get(0).getMetadata().getUid();

    scenario.patch(name, c -> {
      c.getSpec().setVersion("3.6.5");
      return c;
    });
    EtcdCluster refused = scenario.awaitCondition(name, "Degraded", "True", Duration.ofSeconds(30));
    assertThat(refused.getStatus().getConditions()).filteredOn(c -> c.getType().equals("Degraded")).singleElement()
        .satisfies(c -> {
          assertThat(c.getReason()).isEqualTo("InvalidSpec");
          assertThat(c.getMessage()).contains("spec.version 3.6.5 skips a minor version: the cluster runs 3.4.23")
              .contains("move to 3.5 first");
        });
    await("nothing touched").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6))
        .until(() -> pods(scenario, name).size() == 1
            && podUid.equals(pods(scenario, name).get(0).getMetadata().getUid()));
    assertThat(Scenario.hasCondition(scenario.get(name), "Available", "True")).isTrue();
  }

  private static EtcdCluster withProgressDeadline(EtcdCluster etcd, int seconds) {
    RolloutSpec rollout = new RolloutSpec();
    rollout.setProgressDeadlineSeconds(seconds);
    etcd.getSpec().setRollout(rollout);
    return etcd;
  }

  private static String revision(Scenario scenario, String name) {
    StatefulSet sts = scenario.kube().apps().statefulSets().inNamespace(scenario.namespace()).withName(name).get();
    return sts.getStatus() == null ? null : sts.getStatus().getUpdateRevision();
  }

  /** Ready, no rollout in status, and every pod on the StatefulSet's update revision, which is not {@code before}. */
  private static void awaitRolledOut(Scenario scenario, String name, String before) {
    scenario.awaitCluster(name, "rolled out", Duration.ofMinutes(3), etcd -> {
      String revision = revision(scenario, name);
      return Scenario.hasCondition(etcd, "Ready", "True") && etcd.getStatus().getRollout() == null
          && revision != null && !revision.equals(before) && pods(scenario, name).size() == 3
          && pods(scenario, name).stream()
              .allMatch(p -> revision.equals(p.getMetadata().getLabels().get("controller-revision-hash")));
    });
  }

  private static List<Pod> pods(Scenario scenario, String name) {
    return scenario.kube().pods().inNamespace(scenario.namespace()).withLabel("app.kubernetes.io/instance", name)
        .list().getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
  }

  private static String image(Pod pod) {
    return pod.getSpec().getContainers().get(0).getImage();
  }

  private static List<String> memberIds(Scenario scenario, String name) {
    return scenario.get(name).getStatus().getMembers().stream().map(m -> m.getName() + "=" + m.getId()).sorted()
        .toList();
  }

  private static List<Event> events(Scenario scenario, String name, String reason) {
    return scenario.kube().v1().events().inNamespace(scenario.namespace()).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
        .sorted(Comparator.comparing(e -> Long.parseLong(e.getMetadata().getResourceVersion()))).toList();
  }

  private static java.util.Optional<String> condition(EtcdCluster etcd, String type) {
    return etcd.getStatus().getConditions().stream().filter(c -> type.equals(c.getType()))
        .map(c -> c.getReason()).findFirst();
  }

}
