package dev.etcdoperator.cluster;

import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.AVAILABLE;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.DEGRADED;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.PROGRESSING;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.READY;
import static dev.etcdoperator.cluster.StatusFixtures.CLOCK;
import static dev.etcdoperator.cluster.StatusFixtures.DONE;
import static dev.etcdoperator.cluster.StatusFixtures.T1;
import static dev.etcdoperator.cluster.StatusFixtures.WAITING_FOR_PODS;
import static dev.etcdoperator.cluster.StatusFixtures.assertCondition;
import static dev.etcdoperator.cluster.StatusFixtures.cluster;
import static dev.etcdoperator.cluster.StatusFixtures.compute;
import static dev.etcdoperator.cluster.StatusFixtures.condition;
import static dev.etcdoperator.cluster.StatusFixtures.oneOfThreeDown;
import static dev.etcdoperator.cluster.StatusFixtures.previouslyHealthy;
import static dev.etcdoperator.cluster.StatusFixtures.threeHealthy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.cluster.model.EtcdView;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Status across reconciles: what {@link ClusterStatusCalculator} keeps from the previous status while etcd is
 * unreachable, and when a condition's lastTransitionTime moves.
 */
class ClusterStatusTransitionsTest {

  // ---- etcd unreachable after formation -----------------------------------------------------------------------------

  @Test
  void unreachableAfterFormationKeepsWhatWasLearnt() {
    EtcdClusterStatus previous = previouslyHealthy();
    EtcdCluster cluster = cluster(4L, previous);

    EtcdClusterStatus status = compute(cluster, WAITING_FOR_PODS,
        new EtcdView.Unreachable("context deadline exceeded on all endpoints"), 3, 0, true, CLOCK);

    assertCondition(status, AVAILABLE, "False", Reason.ETCD_UNREACHABLE);
    assertThat(condition(status, AVAILABLE).getMessage())
        .isEqualTo("no member answered: context deadline exceeded on all endpoints");
    assertCondition(status, DEGRADED, "True", Reason.ETCD_UNREACHABLE);
    assertCondition(status, READY, "False", Reason.WAITING_FOR_PODS);
    assertThat(status.getClusterID()).isEqualTo("8e9e05c52164694d");
    assertThat(status.getCurrentVersion()).isEqualTo("3.5.9");
    assertThat(status.getLeader()).isNull();
    assertThat(status.getMembers()).extracting(dev.etcdoperator.api.v1alpha1.MemberStatus::getName)
        .containsExactly("main-0", "main-1", "main-2");
    assertThat(status.getMembers()).allSatisfy(m -> {
      assertThat(m.getHealthy()).isFalse();
      assertThat(m.getLeader()).isFalse();
      assertThat(m.getMessage()).isEqualTo("etcd did not answer");
    });
  }

  @Test
  void noMemberPodRunningAfterFormationIsUnreachable() {
    EtcdCluster cluster = cluster(4L, previouslyHealthy());

    EtcdClusterStatus status = compute(cluster, WAITING_FOR_PODS, new EtcdView.NotContacted(), 0, 0, true, CLOCK);

    assertCondition(status, AVAILABLE, "False", Reason.ETCD_UNREACHABLE);
    assertThat(condition(status, AVAILABLE).getMessage()).isEqualTo("no member answered: no member pod runs");
    assertThat(status.getClusterID()).isEqualTo("8e9e05c52164694d");
  }

  // ---- lastTransitionTime -------------------------------------------------------------------------------------------

  @Test
  void lastTransitionTimeMovesOnlyWhenStatusChanges() {
    EtcdClusterStatus first = compute(DONE, threeHealthy(), 3, true);
    assertThat(first.getConditions()).extracting(Condition::getLastTransitionTime)
        .containsOnly("2026-11-01T10:00:00Z");

    Clock later = Clock.fixed(T1.plus(Duration.ofMinutes(5)).plusMillis(750), ZoneOffset.UTC);
    EtcdClusterStatus second = compute(cluster(5L, first), DONE, oneOfThreeDown(), 3, 3, true, later);

    // Available stays True (different message is no transition); Progressing stays False.
    assertThat(condition(second, AVAILABLE).getLastTransitionTime()).isEqualTo("2026-11-01T10:00:00Z");
    assertThat(condition(second, PROGRESSING).getLastTransitionTime()).isEqualTo("2026-11-01T10:00:00Z");
    // Ready True -> False and Degraded False -> True are transitions.
    assertThat(condition(second, READY).getStatus()).isEqualTo("False");
    assertThat(condition(second, READY).getLastTransitionTime()).isEqualTo("2026-11-01T10:05:00Z");
    assertThat(condition(second, DEGRADED).getStatus()).isEqualTo("True");
    assertThat(condition(second, DEGRADED).getLastTransitionTime()).isEqualTo("2026-11-01T10:05:00Z");
    assertThat(second.getConditions()).extracting(Condition::getObservedGeneration).containsOnly(5L);
  }

  @Test
  void sameObservationGivesEqualStatus() {
    EtcdClusterStatus first = compute(DONE, threeHealthy(), 3, true);
    Clock later = Clock.fixed(T1.plus(Duration.ofHours(1)), ZoneOffset.UTC);

    EtcdClusterStatus second = compute(cluster(4L, first), DONE, threeHealthy(), 3, 3, true, later);

    assertThat(second).isEqualTo(first);
  }

  @Test
  void recoveringFromUnreachableRestoresMembersAndTimesTheTransition() {
    EtcdClusterStatus healthy = compute(DONE, threeHealthy(), 3, true);
    Clock t2 = Clock.fixed(T1.plus(Duration.ofMinutes(1)), ZoneOffset.UTC);
    EtcdClusterStatus down = compute(cluster(4L, healthy), WAITING_FOR_PODS,
        new EtcdView.Unreachable("connection refused"), 3, 0, true, t2);
    Clock t3 = Clock.fixed(T1.plus(Duration.ofMinutes(2)), ZoneOffset.UTC);

    EtcdClusterStatus up = compute(cluster(4L, down), DONE, threeHealthy(), 3, 3, true, t3);

    assertCondition(up, AVAILABLE, "True", Reason.QUORUM_HEALTHY);
    assertThat(condition(up, AVAILABLE).getLastTransitionTime()).isEqualTo("2026-11-01T10:02:00Z");
    assertThat(condition(down, AVAILABLE).getLastTransitionTime()).isEqualTo("2026-11-01T10:01:00Z");
    assertThat(up.getMembers()).extracting(dev.etcdoperator.api.v1alpha1.MemberStatus::getHealthy)
        .containsOnly(true);
    assertThat(up.getLeader()).isEqualTo("main-1");
  }

  @Test
  void newConditionsStartAtTheClockWhileUnchangedOnesKeepTheirTime() {
    EtcdClusterStatus previous = new EtcdClusterStatus();
    List<Condition> old = new ArrayList<>();
    old.add(new io.fabric8.kubernetes.api.model.ConditionBuilder().withType(READY).withStatus("True")
        .withReason(Reason.ALL_MEMBERS_HEALTHY).withLastTransitionTime("2026-10-01T00:00:00Z").build());
    previous.setConditions(old);

    EtcdClusterStatus status = compute(cluster(4L, previous), DONE, threeHealthy(), 3, 3, true, CLOCK);

    assertThat(condition(status, READY).getLastTransitionTime()).isEqualTo("2026-10-01T00:00:00Z");
    assertThat(condition(status, AVAILABLE).getLastTransitionTime()).isEqualTo("2026-11-01T10:00:00Z");
  }
}
