package dev.etcdoperator.cluster;

import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.AVAILABLE;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.DEGRADED;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.READY;
import static dev.etcdoperator.testing.OperatorTestEnvironment.WAIT;
import static dev.etcdoperator.testing.OperatorTestEnvironment.condition;
import static dev.etcdoperator.testing.OperatorTestEnvironment.tls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.TlsSpec;
import dev.etcdoperator.resources.ClusterLabels;
import dev.etcdoperator.testing.EtcdProcessCluster;
import dev.etcdoperator.testing.OperatorPerClass;
import dev.etcdoperator.testing.OperatorTestEnvironment;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The StatefulSet of a formed cluster goes away while etcd does not answer (a storage expansion re-creates it; a
 * user deletes it with orphan propagation). It must come back with the members etcd has, never smaller because
 * spec.replicas was lowered meanwhile: the StatefulSet controller would delete the pods, and with them the volumes,
 * of voting members.
 */
class StatefulSetRecreationTest {
  private static final String NS = "statefulset-recreation-test";

  @RegisterExtension
  static final OperatorPerClass OPERATOR = new OperatorPerClass(NS);

  private static OperatorTestEnvironment env() {
    return OPERATOR.env();
  }

  @Test
  void aMissingStatefulSetComesBackWithTheMembersEtcdHadWhileEtcdIsUnreachable(@TempDir Path dir) {
    EtcdProcessCluster etcd = EtcdProcessCluster.builder(dir).members(3).namePrefix("blind").start();
    env().etcd().put("blind", etcd);
    env().create("blind", c -> {
      c.getSpec().setReplicas(3);
      c.getSpec().setTls(tls(TlsSpec.Mode.Disabled));
    });
    await().atMost(WAIT).until(() -> env().get(StatefulSet.class, "blind") != null);
    for (int i = 0; i < 3; i++) {
      env().runReadyPod("blind", i);
    }
    await().atMost(WAIT).untilAsserted(() -> assertThat(condition(env().status("blind"), READY).getStatus())
        .isEqualTo("True"));

    for (int i = 0; i < 3; i++) {
      etcd.kill(i);
    }
    await().atMost(WAIT).untilAsserted(() -> assertThat(condition(env().status("blind"), AVAILABLE).getReason())
        .isEqualTo("EtcdUnreachable"));
    env().editSpec("blind", c -> {
      c.getSpec().setReplicas(1);
      return c;
    });
    long generation = env().resource("blind").get().getMetadata().getGeneration();
    await().atMost(WAIT).until(() -> env().status("blind").getObservedGeneration() == generation);
    assertThat(env().get(StatefulSet.class, "blind").getSpec().getReplicas()).isEqualTo(3);
    String before = env().get(StatefulSet.class, "blind").getMetadata().getUid();
    env().client().apps().statefulSets().inNamespace(NS).withName("blind")
        .withPropagationPolicy(DeletionPropagation.ORPHAN).delete();

    await().atMost(WAIT).until(() -> env().get(StatefulSet.class, "blind") != null
        && !before.equals(env().get(StatefulSet.class, "blind").getMetadata().getUid()));
    assertThat(env().get(StatefulSet.class, "blind").getSpec().getReplicas())
        .as("the three members etcd has, not spec.replicas").isEqualTo(3);
  }

  /**
   * A backup tool restored the member claims of "revived" but not its status or ConfigMap: nothing says the data
   * on them formed a cluster. Bootstrapping over them as a new cluster is refused until a person decides.
   */
  @Test
  void memberVolumesNoRecordAccountsForStopTheBootstrap() {
    for (int i = 0; i < 2; i++) {
      env().client().persistentVolumeClaims().inNamespace(NS).resource(new PersistentVolumeClaimBuilder()
          .withNewMetadata().withName("data-revived-" + i).withLabels(new ClusterLabels("revived").forOwnedObjects())
          .endMetadata().withNewSpec().withAccessModes("ReadWriteOnce").withNewResources()
          .addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build()).create();
    }
    env().create("revived", c -> c.getSpec().setTls(tls(TlsSpec.Mode.Disabled)));

    await().atMost(WAIT).untilAsserted(() -> {
      Condition degraded = condition(env().status("revived"), DEGRADED);
      assertThat(degraded.getStatus()).isEqualTo("True");
      assertThat(degraded.getReason()).isEqualTo("InvalidSpec");
      assertThat(degraded.getMessage()).contains("volume claims [data-revived-0, data-revived-1] exist, but "
          + "nothing records that revived formed");
    });
    await().during(java.time.Duration.ofSeconds(3)).atMost(WAIT)
        .until(() -> env().get(StatefulSet.class, "revived") == null);
    assertThat(env().eventsAbout("revived")).anyMatch(e -> "Warning".equals(e.getType())
        && e.getMessage().contains("nothing records that revived formed"));

    env().client().persistentVolumeClaims().inNamespace(NS).withLabels(new ClusterLabels("revived").forOwnedObjects())
        .delete();
    await("with the claims deleted it starts empty").atMost(WAIT)
        .until(() -> env().get(StatefulSet.class, "revived") != null);
  }
}
