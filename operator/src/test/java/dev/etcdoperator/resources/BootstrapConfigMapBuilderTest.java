package dev.etcdoperator.resources;

import static dev.etcdoperator.testing.TestClusters.assertOwnedObject;
import static dev.etcdoperator.testing.TestClusters.blueprint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.resources.BootstrapConfig.InitialClusterState;
import io.fabric8.kubernetes.api.model.ConfigMap;
import org.junit.jupiter.api.Test;

class BootstrapConfigMapBuilderTest {

  @Test
  void carriesTheBootstrapValuesUnderTheKeysTheEnvReads() {
    ClusterBlueprint bp = blueprint("3.5.21", s -> s.setReplicas(1));

    ConfigMap configMap = BootstrapConfigMapBuilder.build(bp, BootstrapConfig.initial(bp));

    assertOwnedObject(configMap, "main-config");
    assertThat(configMap.getData()).containsExactly(
        java.util.Map.entry("initial-cluster", "main-0=http://main-0.main-peer.db.svc:2380"),
        java.util.Map.entry("initial-cluster-state", "new"),
        java.util.Map.entry("initial-cluster-token", "main-3f2a9c1e"));
  }

  @Test
  void existingStateIsWrittenAsEtcdExpectsIt() {
    ClusterBlueprint bp = blueprint();

    ConfigMap configMap = BootstrapConfigMapBuilder.build(bp,
        BootstrapConfig.initial(bp).withState(InitialClusterState.EXISTING));

    assertThat(configMap.getData()).containsEntry("initial-cluster-state", "existing");
  }

  @Test
  void everyKeyTheContainerReferencesExists() {
    ClusterBlueprint bp = blueprint();
    ConfigMap configMap = BootstrapConfigMapBuilder.build(bp, BootstrapConfig.initial(bp));

    var refs = MemberEnv.build(bp).stream()
        .filter(e -> e.getValueFrom().getConfigMapKeyRef() != null)
        .map(e -> e.getValueFrom().getConfigMapKeyRef())
        .toList();

    assertThat(refs).hasSize(3).allSatisfy(ref -> {
      assertThat(ref.getName()).isEqualTo(configMap.getMetadata().getName());
      assertThat(configMap.getData()).containsKey(ref.getKey());
    });
  }
}
