package dev.etcdoperator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.cluster.model.MembershipAction;
import dev.etcdoperator.etcd.EtcdMaintenance;
import dev.etcdoperator.testing.TestClusters;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * A member being defragmented answers nothing: while its defragmentation runs (on a thread of its own), the cluster's
 * restarts and membership changes wait for it, and go on once it answered.
 */
class DefragmentationHoldTest {
  private final DefragmentationCalls calls = new DefragmentationCalls();
  private final ClusterMaintenance maintenance = new ClusterMaintenance(null, null, Clock.systemUTC(),
      Duration.ofMinutes(1), calls);
  private final EtcdCluster cluster = TestClusters.cluster(spec -> {});
  private final ClusterStep restart = new ClusterStep.RestartMember("main-2", "uid-2", Reason.ROLLING_OUT,
      "restarting main-2 with the new template");
  private final ClusterStep remove = new ClusterStep.ChangeMembership(new MembershipAction.Remove("main-2", 2L),
      Reason.SCALING_IN, "removing main-2");

  @Test
  void changesWaitWhileAMemberIsDefragmentedAndGoOnAfterwards() throws InterruptedException {
    CountDownLatch answered = new CountDownLatch(1);
    calls.start(EtcdClusterReconciler.key(cluster), "2026-12-04T08:00:00Z", "main-1", () -> {
      await(answered);
      return new EtcdMaintenance.Defragmented(URI.create("https://main-1:2379"), 100, 10, Duration.ofSeconds(1));
    });

    assertThat(maintenance.holdWhileDefragmenting(cluster, restart)).isEqualTo(new ClusterStep.Wait(
        Duration.ofSeconds(2), Reason.ROLLING_OUT, "waits until the defragmentation of main-1 is done: "
            + "restarting main-2 with the new template"));
    assertThat(maintenance.holdWhileDefragmenting(cluster, remove)).isInstanceOf(ClusterStep.Wait.class)
        .extracting(s -> ((ClusterStep.Wait) s).message()).isEqualTo("waits until the defragmentation of main-1 "
            + "is done: removing main-2");
    assertThat(maintenance.holdWhileDefragmenting(cluster, new ClusterStep.Done()))
        .isEqualTo(new ClusterStep.Done());

    answered.countDown();
    calls.of(EtcdClusterReconciler.key(cluster)).orElseThrow().result().join();
    assertThat(maintenance.holdWhileDefragmenting(cluster, restart)).isEqualTo(restart);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
