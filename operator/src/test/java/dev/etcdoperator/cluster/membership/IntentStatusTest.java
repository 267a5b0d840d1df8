package dev.etcdoperator.cluster.membership;

import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.AVAILABLE;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.PROGRESSING;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.READY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.MembershipChange;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.cluster.model.MembershipAction;
import dev.etcdoperator.support.ConditionSet;
import io.fabric8.kubernetes.api.model.Condition;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** What the API shows while a membership change is recorded and not made yet. */
class IntentStatusTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-05T05:00:00Z"), ZoneOffset.UTC);
  private static final ClusterStep.ChangeMembership ADD = new ClusterStep.ChangeMembership(
      new MembershipAction.AddLearner("main-1", URI.create("https://main-1.main-peer.ns.svc:2380")),
      Reason.SCALING_OUT, "adding learner main-1");
  private static final MembershipChange INTENT = new MembershipChange(MembershipChange.SCALE_OUT, "main-1",
      "2026-12-05T05:00:00Z");

  /** The status read before spec.replicas went from 1 to 3: the operator's last write was not in its cache yet. */
  private static EtcdClusterStatus readyForOneMember() {
    EtcdClusterStatus status = new EtcdClusterStatus();
    status.setClusterID("4d381c7d8cc976ba");
    status.setConditions(new ConditionSet(null, 1, Clock.fixed(Instant.parse("2026-12-05T04:00:00Z"),
        ZoneOffset.UTC))
        .set(READY, true, Reason.ALL_MEMBERS_HEALTHY, "all 1 members are healthy")
        .set(PROGRESSING, false, Reason.RECONCILED, "the cluster matches its spec")
        .set(AVAILABLE, true, Reason.ALL_MEMBERS_HEALTHY, "quorum").build());
    return status;
  }

  @Test
  void aStatusReadWhileReadyIsNotWrittenBackAsReady() {
    EtcdClusterStatus written = IntentStatus.of(readyForOneMember(), INTENT, ADD, 2, CLOCK);

    assertThat(written.getMembershipChange()).isEqualTo(INTENT);
    Condition ready = ConditionSet.find(written.getConditions(), READY).orElseThrow();
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo(Reason.SCALING_OUT);
    assertThat(ready.getObservedGeneration()).isEqualTo(2L);
    assertThat(ready.getLastTransitionTime()).isEqualTo("2026-12-05T05:00:00Z");
    Condition progressing = ConditionSet.find(written.getConditions(), PROGRESSING).orElseThrow();
    assertThat(progressing.getStatus()).isEqualTo("True");
    assertThat(progressing.getMessage()).isEqualTo("adding learner main-1");
  }

  @Test
  void everythingElseIsKeptAsRead() {
    EtcdClusterStatus read = readyForOneMember();
    Condition available = ConditionSet.find(read.getConditions(), AVAILABLE).orElseThrow();

    EtcdClusterStatus written = IntentStatus.of(read, INTENT, ADD, 2, CLOCK);

    assertThat(written.getClusterID()).isEqualTo("4d381c7d8cc976ba");
    assertThat(written.getConditions()).hasSize(3).contains(available);
  }

  @Test
  void aClusterWithNoStatusYetGetsTheIntentAndTheTwoConditions() {
    EtcdClusterStatus written = IntentStatus.of(null, INTENT, ADD, 1, CLOCK);

    assertThat(written.getMembershipChange()).isEqualTo(INTENT);
    assertThat(written.getConditions()).extracting(Condition::getType).containsExactlyInAnyOrder(READY, PROGRESSING);
  }
}
