package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario (d): deleting the StatefulSet alone (the "the operator re-creates it" move) keeps every member's claim and
 * data: it comes back, the same members on the same volumes. Deleting the EtcdCluster removes everything it owns
 * (StatefulSet, Services, ConfigMap, PDB, Secrets), through the garbage collector as in a real cluster, every pod,
 * every claim and its data, and every etcd process.
 */
@ClassTemplate
@ExtendWith(Backends.class)
class ClusterDeletionTest {
  private static final String NAME = "main";

  @Test
  void deletingTheClusterRemovesEveryOwnedObjectPodAndProcess(Scenario scenario) throws Exception {
    scenario.apply(scenario.tlsCluster(NAME, 3));
    String uid = scenario.awaitReady(NAME).getMetadata().getUid();
    KubernetesClient kube = scenario.kube();
    String namespace = scenario.namespace();

    List<String> owned = ownedBy(kube, namespace, uid);
    assertThat(owned).as("objects owned by the cluster").contains("StatefulSet/" + NAME, "Service/" + NAME,
        "Service/" + NAME + "-peer", "ConfigMap/" + NAME + "-config", "PodDisruptionBudget/" + NAME,
        "Secret/" + NAME + "-ca", "Secret/" + NAME + "-server-tls", "Secret/" + NAME + "-peer-tls",
        "Secret/" + NAME + "-client-" + Scenario.CLIENT_CERTIFICATE);
    assertThat(kube.pods().inNamespace(namespace).list().getItems()).hasSize(3);
    List<String> claims = kube.persistentVolumeClaims().inNamespace(namespace).list().getItems().stream()
        .map(c -> c.getMetadata().getName()).toList();
    assertThat(claims).hasSize(3);
    Backend backend = scenario.backend();
    assertThat(backend.runningMembers()).containsExactly(NAME + "-0", NAME + "-1", NAME + "-2");
    Map<String, String> claimUids = claimUids(kube, namespace);
    String clusterId = scenario.get(NAME).getStatus().getClusterID();

    kube.apps().statefulSets().inNamespace(namespace).withName(NAME).delete();
    await("the StatefulSet is back, its members on their own volumes").atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
          assertThat(claimUids(kube, namespace)).isEqualTo(claimUids);
          EtcdCluster back = scenario.get(NAME);
          assertThat(Scenario.hasCondition(back, "Ready", "True")).isTrue();
          assertThat(back.getStatus().getClusterID()).isEqualTo(clusterId);
          assertThat(backend.runningMembers()).containsExactly(NAME + "-0", NAME + "-1", NAME + "-2");
        });

    scenario.delete(NAME);

    await("owned objects, pods and claims gone").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> {
          assertThat(ownedBy(kube, namespace, uid)).isEmpty();
          assertThat(inNamespace(kube, namespace)).isEmpty();
          assertThat(kube.pods().inNamespace(namespace).list().getItems()).isEmpty();
          assertThat(kube.persistentVolumeClaims().inNamespace(namespace).list().getItems()).isEmpty();
        });
    await("etcd processes and their data gone").atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
      assertThat(backend.runningMembers()).isEmpty();
      for (String claim : claims) {
        assertThat(backend.claimDataExists(claim)).as("data of claim %s", claim).isFalse();
      }
    });
    assertThat(scenario.get(NAME)).isNull();
  }

  /** Kind/name of every object of the cluster's kinds whose owner references name the uid. */
  private static List<String> ownedBy(KubernetesClient kube, String namespace, String uid) {
    List<String> owned = new ArrayList<>();
    for (HasMetadata o : all(kube, namespace)) {
      if (Optional.ofNullable(o.getMetadata().getOwnerReferences()).orElse(List.of()).stream()
          .anyMatch(r -> uid.equals(r.getUid()))) {
        owned.add(o.getKind() + "/" + o.getMetadata().getName());
      }
    }
    return owned;
  }

  /** Kind/name of every object of those kinds left in the namespace, owned or not (labels can be wrong too). */
  private static List<String> inNamespace(KubernetesClient kube, String namespace) {
    return all(kube, namespace).stream().filter(o -> !(o.getKind().equals("ConfigMap")
        && o.getMetadata().getName().equals("kube-root-ca.crt"))).map(o -> o.getKind() + "/" + o.getMetadata()
        .getName()).toList();
  }

  private static List<HasMetadata> all(KubernetesClient kube, String namespace) {
    return Stream.of(kube.apps().statefulSets().inNamespace(namespace).list().getItems(),
        kube.services().inNamespace(namespace).list().getItems(),
        kube.configMaps().inNamespace(namespace).list().getItems(),
        kube.secrets().inNamespace(namespace).list().getItems(),
        kube.policy().v1().podDisruptionBudget().inNamespace(namespace).list().getItems())
        .flatMap(List::stream).map(HasMetadata.class::cast).toList();
  }

  private static Map<String, String> claimUids(KubernetesClient kube, String namespace) {
    return kube.persistentVolumeClaims().inNamespace(namespace).list().getItems().stream()
        .collect(java.util.stream.Collectors.toMap(c -> c.getMetadata().getName(), c -> c.getMetadata().getUid()));
  }
}
