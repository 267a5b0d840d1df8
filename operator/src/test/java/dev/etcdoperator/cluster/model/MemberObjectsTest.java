package dev.etcdoperator.cluster.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.resources.ClusterNames;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemberObjectsTest {
  private static final ClusterNames NAMES = new ClusterNames("main", "db");
  private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final Duration FAILING_AFTER = Duration.ofMinutes(5);

  private static Pod pod(String name, boolean ready, Duration since, int restarts) {
    return new PodBuilder().withNewMetadata().withName(name).withUid("uid-" + name).endMetadata()
        .withNewStatus().addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
        .withLastTransitionTime(NOW.minus(since).toString()).endCondition()
        .addNewContainerStatus().withName("etcd").withRestartCount(restarts).endContainerStatus().endStatus().build();
  }

  private static PersistentVolumeClaim claim(String name, boolean deleting) {
    return new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).withUid("uid-" + name)
        .withDeletionTimestamp(deleting ? NOW.toString() : null).endMetadata().build();
  }

  @Test
  void ordinalsOfPodsAndClaimsByTheirStatefulSetNames() {
    Pod deleting = pod("main-3", true, Duration.ZERO, 0);
    deleting.getMetadata().setDeletionTimestamp(NOW.toString());
    MemberObjects objects = MemberObjects.of(NAMES, List.of(pod("main-0", true, Duration.ZERO, 0),
        pod("main-2", true, Duration.ZERO, 0), pod("mainframe-1", true, Duration.ZERO, 0), deleting),
        List.of(claim("data-main-0", false), claim("data-main-1", true), claim("data-main-12", false),
            claim("other-main-2", false)), CLOCK, FAILING_AFTER);

    assertThat(objects.pods()).containsOnlyKeys(0, 2).containsEntry(0, "uid-main-0");
    assertThat(objects.claims()).containsOnlyKeys(0, 12);
    assertThat(objects.claims().get(12)).isEqualTo(new MembershipFacts.MemberClaim("data-main-12",
        "uid-data-main-12"));
  }

  @Test
  void aPodKeepsFailingWhenNotReadyForFiveMinutesAndRestarting() {
    assertThat(MemberObjects.keepsFailing(pod("main-0", false, Duration.ofMinutes(6), 3), NOW, FAILING_AFTER)).isTrue();
    assertThat(MemberObjects.keepsFailing(pod("main-0", false, Duration.ofMinutes(5), 1), NOW, FAILING_AFTER)).isTrue();
    assertThat(MemberObjects.keepsFailing(pod("main-0", false, Duration.ofMinutes(4), 3), NOW, FAILING_AFTER))
        .as("not for long enough").isFalse();
    assertThat(MemberObjects.keepsFailing(pod("main-0", false, Duration.ofMinutes(30), 0), NOW, FAILING_AFTER))
        .as("never restarted: a hung node, not a failing member").isFalse();
    assertThat(MemberObjects.keepsFailing(pod("main-0", true, Duration.ofMinutes(30), 9), 
        NOW, FAILING_AFTER)).isFalse();
    assertThat(MemberObjects.of(NAMES, List.of(pod("main-1", false, Duration.ofMinutes(6), 2)), List.of(), CLOCK, FAILING_AFTER)
        .failingPods()).containsExactly(1);
  }

  /** A pod that has not started: how a pod waiting for a claim nothing makes shows (kubernetes/kubernetes#74374). */
  @Test
  void pendingPodsByOrdinal() {
    Pod waiting = pod("main-1", false, Duration.ofMinutes(1), 0);
    waiting.getStatus().setPhase("Pending");
    Pod running = pod("main-2", false, Duration.ofMinutes(1), 0);
    running.getStatus().setPhase("Running");

    assertThat(MemberObjects.of(NAMES, List.of(pod("main-0", true, Duration.ZERO, 0), waiting, running), List.of(),
        CLOCK, FAILING_AFTER).pendingPods()).containsExactly(1);
  }
}
