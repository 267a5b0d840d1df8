package dev.etcdoperator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.testing.MutableClock;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ReconcileCadenceTest {
  private static final Duration RESYNC = Duration.ofSeconds(60);

  /** The periodic look at a settled cluster, as the reconciler schedules it now. */
  private static Instant nextLook(ReconcileCadence cadence, MutableClock clock, String uid) {
    UpdateControl<EtcdCluster> control = cadence.next(UpdateControl.noUpdate(), new ClusterStep.Done(), ready(), uid,
        List.of());
    return clock.instant().plusMillis(control.getScheduleDelay().orElseThrow());
  }

  /**
   * A hundred clusters created (or taken up by a restarted operator) in the same moment: their periodic looks are
   * spread over the resync interval instead of all coming together, once per interval, for ever.
   */
  @Test
  void clustersReconciledTogetherAreLookedAtAgainSpreadOverTheInterval() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-05T20:00:00Z"));
    ReconcileCadence cadence = new ReconcileCadence(RESYNC, clock);
    Random random = new Random(19);
    List<String> uids = IntStream.range(0, 100).mapToObj(i -> new UUID(random.nextLong(), random.nextLong()).toString())
        .toList();

    Map<Long, Long> perTenthOfTheInterval = uids.stream().map(uid -> nextLook(cadence, clock, uid))
        .collect(Collectors.groupingBy(at -> at.toEpochMilli() % RESYNC.toMillis() / (RESYNC.toMillis() / 10),
            Collectors.counting()));

    assertThat(perTenthOfTheInterval).hasSize(10);
    assertThat(perTenthOfTheInterval.values()).allSatisfy(count -> assertThat(count).isBetween(3L, 20L));
  }

  /** Whenever a cluster was last reconciled (an event, a step), its periodic look keeps its own moment. */
  @Test
  void aClustersPeriodicLookKeepsItsMomentWhateverBroughtTheLastReconcile() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-05T20:00:00Z"));
    ReconcileCadence cadence = new ReconcileCadence(RESYNC, clock);
    String uid = "5f0b7c8e-3b1a-4a57-9a51-0c1d2e3f4a5b";

    Instant first = nextLook(cadence, clock, uid);
    clock.advance(Duration.ofMillis(17_300)); // reconciled again on an event in between
    Instant second = nextLook(cadence, clock, uid);

    assertThat(second.toEpochMilli() % RESYNC.toMillis()).isEqualTo(first.toEpochMilli() % RESYNC.toMillis());
    // Never sooner than half an interval, never later than one and a half.
    for (int step = 0; step < 60; step++) {
      clock.advance(Duration.ofMillis(1_000));
      Duration wait = Duration.between(clock.instant(), nextLook(cadence, clock, uid));
      assertThat(wait).isBetween(RESYNC.dividedBy(2), RESYNC.multipliedBy(3).dividedBy(2));
    }
  }

  private static EtcdClusterStatus ready() {
    EtcdClusterStatus status = new EtcdClusterStatus();
    status.setConditions(List.of(new ConditionBuilder().withType(EtcdClusterConditions.READY).withStatus("True")
        .build()));
    return status;
  }
}
