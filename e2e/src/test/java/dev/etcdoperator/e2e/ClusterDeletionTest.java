package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scenario (d): deleting the EtcdCluster removes everything it owns (StatefulSet, Services, ConfigMap, PDB,
 * Secrets), through the garbage collector as in a real cluster, and with the StatefulSet every pod, every claim and
 * its data, and every etcd process.
 */
class ClusterDeletionTest {
  private static final String NAMESPACE = "e2e-d";
  private static final String NAME = "main";

  @RegisterExtension
  static final LocalBackend BACKEND = new LocalBackend("cluster-deletion", NAMESPACE);

  @Test
  void deletingTheClusterRemovesEveryOwnedObjectPodAndProcess() throws Exception {
    Scenario scenario = BACKEND.scenario();
    scenario.apply(scenario.tlsCluster(NAME, 3));
    String uid = scenario.awaitReady(NAME).getMetadata().getUid();
    KubernetesClient kube = scenario.kube();

    List<String> owned = ownedBy(kube, uid);
    assertThat(owned).as("objects owned by the cluster").contains("StatefulSet/" + NAME, "Service/" + NAME,
        "Service/" + NAME + "-peer", "ConfigMap/" + NAME + "-config", "PodDisruptionBudget/" + NAME,
        "Secret/" + NAME + "-ca", "Secret/" + NAME + "-server-tls", "Secret/" + NAME + "-peer-tls",
        "Secret/" + NAME + "-client-" + Scenario.CLIENT_CERTIFICATE);
    assertThat(kube.pods().inNamespace(NAMESPACE).list().getItems()).hasSize(3);
    List<String> claims = kube.persistentVolumeClaims().inNamespace(NAMESPACE).list().getItems().stream()
        .map(c -> c.getMetadata().getName()).toList();
    assertThat(claims).hasSize(3);
    List<ContainerProcess> processes = BACKEND.cluster().processes();
    assertThat(processes).hasSize(3).allMatch(ContainerProcess::isAlive);

    scenario.delete(NAME);

    await("owned objects, pods and claims gone").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> {
          assertThat(ownedBy(kube, uid)).isEmpty();
          assertThat(inNamespace(kube)).isEmpty();
          assertThat(kube.pods().inNamespace(NAMESPACE).list().getItems()).isEmpty();
          assertThat(kube.persistentVolumeClaims().inNamespace(NAMESPACE).list().getItems()).isEmpty();
        });
    await("etcd processes and their data gone").atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
      assertThat(BACKEND.cluster().processes()).noneMatch(ContainerProcess::isAlive);
      assertThat(NoProcessOutlives.processesUsing(BACKEND.cluster().workDir().toString())).isEmpty();
      for (String claim : claims) {
        assertThat(BACKEND.cluster().workDir().resolve("pvcs").resolve(NAMESPACE).resolve(claim)).doesNotExist();
      }
    });
    assertThat(scenario.get(NAME)).isNull();
  }

  /** Kind/name of every object of the cluster's kinds whose owner references name the uid. */
  private static List<String> ownedBy(KubernetesClient kube, String uid) {
    List<String> owned = new ArrayList<>();
    for (HasMetadata o : all(kube)) {
      if (Optional.ofNullable(o.getMetadata().getOwnerReferences()).orElse(List.of()).stream()
          .anyMatch(r -> uid.equals(r.getUid()))) {
        owned.add(o.getKind() + "/" + o.getMetadata().getName());
      }
    }
    return owned;
  }

  /** Kind/name of every object of those kinds left in the namespace, owned or not (labels can be wrong too). */
  private static List<String> inNamespace(KubernetesClient kube) {
    return all(kube).stream().filter(o -> !(o.getKind().equals("ConfigMap")
        && o.getMetadata().getName().equals("kube-root-ca.crt"))).map(o -> o.getKind() + "/" + o.getMetadata()
        .getName()).toList();
  }

  private static List<HasMetadata> all(KubernetesClient kube) {
    return Stream.of(kube.apps().statefulSets().inNamespace(NAMESPACE).list().getItems(),
        kube.services().inNamespace(NAMESPACE).list().getItems(),
        kube.configMaps().inNamespace(NAMESPACE).list().getItems(),
        kube.secrets().inNamespace(NAMESPACE).list().getItems(),
        kube.policy().v1().podDisruptionBudget().inNamespace(NAMESPACE).list().getItems())
        .flatMap(List::stream).map(HasMetadata.class::cast).toList();
  }
}

