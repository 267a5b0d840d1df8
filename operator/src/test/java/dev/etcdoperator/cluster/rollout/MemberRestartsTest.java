package dev.etcdoperator.cluster.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.cluster.model.EtcdView;
import dev.etcdoperator.resources.ClusterBlueprint;
import dev.etcdoperator.support.EtcdVersion;
import dev.etcdoperator.support.EventRecorder;
import dev.etcdoperator.testing.ApiServerPerClass;
import dev.etcdoperator.testing.TestClusters;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Restarts go through the eviction API, so that they and node drains take turns through the cluster's
 * PodDisruptionBudget (review finding 15a): whichever comes second waits.
 */
class MemberRestartsTest {
  private static final EtcdView NOT_CONTACTED = new EtcdView.NotContacted();
  @RegisterExtension
  static final ApiServerPerClass API = ApiServerPerClass.plain();
  private final KubernetesClient client = API.clientWithoutRetries();

  @AfterEach
  void removeMembers() {
    client.pods().inNamespace(TestClusters.NAMESPACE).delete();
    client.policy().v1().podDisruptionBudget().inNamespace(TestClusters.NAMESPACE).delete();
  }

  /** A minor downgrade asks etcd before any pod goes: with etcd out of reach the restart waits, the pod stays. */
  @Test
  void theFirstRestartOfAMinorDowngradeWaitsForEtcd() {
    EtcdCluster cluster = TestClusters.cluster(spec -> {});
    Pod pod = memberPod(cluster, 2);
    MemberRestarts restarts = new MemberRestarts(client, new EventRecorder(client, Clock.systemUTC()), Clock.systemUTC());
    ClusterStep.RestartMember restart = new ClusterStep.RestartMember(pod.getMetadata().getName(),
        pod.getMetadata().getUid(), Reason.ROLLING_OUT, "restarting main-2");

    ClusterStep step = restarts.restart(cluster, restart, EtcdVersion.parse("3.6.16"), EtcdVersion.parse("3.5.30"),
        NOT_CONTACTED);

    assertThat(step).isEqualTo(new ClusterStep.Wait(RolloutPlanner.POLL, Reason.ROLLING_OUT, "downgrading from "
        + "3.6.16 to 3.5.30 waits until etcd answers"));
    assertThat(client.pods().inNamespace(TestClusters.NAMESPACE).withName("main-2").get().getMetadata().getUid())
        .as("not restarted").isEqualTo(pod.getMetadata().getUid());
  }

  @Test
  void aRestartWaitsWhileADrainHasTakenTheOneDisruptionTheBudgetAllows() {
    EtcdCluster cluster = TestClusters.cluster(spec -> {});
    String ns = cluster.getMetadata().getNamespace();
    client.resource(dev.etcdoperator.resources.PodDisruptionBudgetBuilder.build(TestClusters.blueprint(), 3)).create();
    Pod restarted = memberPod(cluster, 2);
    memberPod(cluster, 0);
    Pod drained = memberPod(cluster, 1);
    // A drain has evicted main-1: its pod is Ready no more (its etcd may still answer during the grace period).
    client.pods().inNamespace(ns).withName(drained.getMetadata().getName()).editStatus(p -> new PodBuilder(p)
        .editStatus().editCondition(0).withStatus("False").endCondition().endStatus().build());
    MemberRestarts restarts = new MemberRestarts(client, new EventRecorder(client, Clock.systemUTC()), Clock.systemUTC());
    ClusterStep.RestartMember restart = new ClusterStep.RestartMember(restarted.getMetadata().getName(),
        restarted.getMetadata().getUid(), Reason.ROLLING_OUT, "restarting main-2");

    ClusterStep refused = restarts.restart(cluster, restart, Optional.empty(), Optional.empty(), NOT_CONTACTED);

    assertThat(refused).isInstanceOfSatisfying(ClusterStep.Wait.class, wait -> assertThat(wait.message())
        .isEqualTo("restarting main-2 waits: the PodDisruptionBudget main refuses to evict main-2 now (another "
            + "member's pod is down or being evicted, e.g. by a node drain)"));
    assertThat(client.pods().inNamespace(ns).withName("main-2").get().getMetadata().getUid())
        .as("not restarted").isEqualTo(restarted.getMetadata().getUid());

    // The disruption controller has caught up: the budget's status says so, and the eviction is not even tried.
    client.policy().v1().podDisruptionBudget().inNamespace(ns).withName("main").editStatus(pdb ->
        new PodDisruptionBudgetBuilder(pdb).withNewStatus().withObservedGeneration(pdb.getMetadata().getGeneration())
            .withCurrentHealthy(2).withDesiredHealthy(2).withExpectedPods(3).withDisruptionsAllowed(0).endStatus()
            .build());
    assertThat(restarts.restart(cluster, restart, Optional.empty(), Optional.empty(), NOT_CONTACTED))
        .isInstanceOfSatisfying(ClusterStep.Wait.class, wait -> assertThat(wait.message())
            .isEqualTo("restarting main-2 waits: the PodDisruptionBudget main allows no disruption now (2 of 3 "
                + "member pods healthy, 2 needed; another member's pod is down or being evicted, e.g. by a node "
                + "drain)"));

    client.pods().inNamespace(ns).withName(drained.getMetadata().getName()).editStatus(p -> new PodBuilder(p)
        .editStatus().editCondition(0).withStatus("True").endCondition().endStatus().build());
    client.policy().v1().podDisruptionBudget().inNamespace(ns).withName("main").editStatus(pdb ->
        new PodDisruptionBudgetBuilder(pdb).editStatus().withCurrentHealthy(3).withDisruptionsAllowed(1).endStatus()
            .build());
    assertThat(restarts.restart(cluster, restart, Optional.empty(), Optional.empty(), NOT_CONTACTED)).isEqualTo(restart);
    assertThat(client.pods().inNamespace(ns).withName("main-2").get()).as("evicted").isNull();
  }

  /**
   * A pod that is not Ready counts for nothing in the budget, so restarting it takes no availability away: it is
   * deleted even where the budget has no room (scaling out from one member, a learner that never started).
   */
  @Test
  void aPodThatIsNotReadyIsRestartedWhereTheBudgetHasNoRoom() {
    EtcdCluster cluster = TestClusters.cluster(spec -> {});
    String ns = cluster.getMetadata().getNamespace();
    client.resource(dev.etcdoperator.resources.PodDisruptionBudgetBuilder.build(TestClusters.blueprint(), 3)).create();
    memberPod(cluster, 0);
    Pod learner = memberPod(cluster, 1);
    client.pods().inNamespace(ns).withName(learner.getMetadata().getName()).editStatus(p -> new PodBuilder(p)
        .editStatus().editCondition(0).withStatus("False").endCondition().endStatus().build());
    MemberRestarts restarts = new MemberRestarts(client, new EventRecorder(client, Clock.systemUTC()), Clock.systemUTC());
    ClusterStep.RestartMember restart = new ClusterStep.RestartMember(learner.getMetadata().getName(),
        learner.getMetadata().getUid(), Reason.ROLLING_OUT, "restarting learner main-1");

    assertThat(restarts.restart(cluster, restart, Optional.empty(), Optional.empty(), NOT_CONTACTED)).isEqualTo(restart);
    assertThat(client.pods().inNamespace(ns).withName("main-1").get()).as("restarted").isNull();
  }

  private Pod memberPod(EtcdCluster cluster, int ordinal) {
    ClusterBlueprint blueprint = TestClusters.blueprint();
    Pod pod = client.resource(new PodBuilder().withNewMetadata().withName(blueprint.names().podName(ordinal))
        .withNamespace(cluster.getMetadata().getNamespace()).withLabels(blueprint.labels().selector())
        .endMetadata().build()).create();
    return client.pods().resource(pod).editStatus(p -> new PodBuilder(p).withNewStatus().withPhase("Running")
        .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build());
  }
}
