package dev.etcdoperator.cluster;

import dev.etcdoperator.testing.TestClusters;
import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterSpec;
import dev.etcdoperator.api.v1alpha1.StorageSpec;
import dev.etcdoperator.resources.BootstrapConfig;
import dev.etcdoperator.resources.ClusterBlueprint;
import dev.etcdoperator.resources.MemberStatefulSetBuilder;
import dev.etcdoperator.support.EtcdVersion;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class DesiredObjectsTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final String PEER = ".main-peer.db.svc:2380";
  private static final String THREE_MEMBERS = "main-0=http://main-0" + PEER + ",main-1=http://main-1" + PEER
      + ",main-2=http://main-2" + PEER;

  private static ClusterBlueprint blueprint(Consumer<EtcdClusterSpec> spec) {
    return ClusterBlueprint.from(TestClusters.cluster(spec), EtcdVersion.parse("3.5.21").orElseThrow(),
        ClusterBlueprint.DEFAULT_IMAGE_REPOSITORY);
  }

  private static ClusterBlueprint blueprint() {
    return blueprint(s -> {});
  }

  private static ConfigMap configMapIn(List<HasMetadata> objects) {
    return (ConfigMap) objects.get(0);
  }

  private static StatefulSet statefulSetIn(List<HasMetadata> objects) {
    return (StatefulSet) objects.get(3);
  }

  private static ConfigMap bootstrapConfigMap(String initialCluster, String state, String token) {
    return new ConfigMapBuilder().withNewMetadata().withName("main-config").withNamespace("db").endMetadata()
        .withData(Map.of("initial-cluster", initialCluster, "initial-cluster-state", state,
            "initial-cluster-token", token))
        .build();
  }

  private static StatefulSet copy(StatefulSet sts) {
    return SERIALIZATION.clone(sts);
  }

  @Test
  void objectsComeInApplyOrder() {
    List<HasMetadata> objects = DesiredObjects.of(blueprint(), Optional.empty(), Optional.empty(), false,
        OptionalInt.of(3),
        Optional.empty(), 3);

    assertThat(objects).extracting(HasMetadata::getKind)
        .containsExactly("ConfigMap", "Service", "Service", "StatefulSet", "PodDisruptionBudget");
    assertThat(objects).extracting(o -> o.getMetadata().getName())
        .containsExactly("main-config", "main-peer", "main", "main", "main");
    assertThat(objects).extracting(o -> o.getMetadata().getNamespace()).containsOnly("db");
  }

  @Test
  void newClusterBootstrapsEveryMemberWithStateNew() {
    List<HasMetadata> objects = DesiredObjects.of(blueprint(), Optional.empty(), Optional.empty(), false,
        OptionalInt.of(3),
        Optional.empty(), 3);

    assertThat(configMapIn(objects).getData())
        .containsEntry("initial-cluster", THREE_MEMBERS)
        .containsEntry("initial-cluster-state", "new")
        .containsEntry("initial-cluster-token", "main-3f2a9c1e");
    assertThat(statefulSetIn(objects).getSpec().getReplicas()).isEqualTo(3);
  }

  @Test
  void existingConfigMapKeepsItsMembersAndToken() {
    // Spec now says 5 replicas, but members were bootstrapped from this list and token: never rewrite them.
    ConfigMap live = bootstrapConfigMap("main-0=http://main-0" + PEER, "new", "main-0ld70ken");

    List<HasMetadata> objects =
        DesiredObjects.of(blueprint(s -> s.setReplicas(5)), Optional.of(live), Optional.empty(), false,
            OptionalInt.of(1),
            Optional.empty(), 1);

    assertThat(configMapIn(objects).getData())
        .containsEntry("initial-cluster", "main-0=http://main-0" + PEER)
        .containsEntry("initial-cluster-state", "new")
        .containsEntry("initial-cluster-token", "main-0ld70ken");
    assertThat(statefulSetIn(objects).getSpec().getReplicas()).isEqualTo(1);
  }

  @Test
  void formedClusterFlipsStateToExistingAndKeepsTheRest() {
    ConfigMap live = bootstrapConfigMap(THREE_MEMBERS, "new", "main-0ld70ken");

    List<HasMetadata> objects = DesiredObjects.of(blueprint(), Optional.of(live), Optional.empty(), true,
        OptionalInt.of(3),
        Optional.empty(), 3);

    assertThat(configMapIn(objects).getData())
        .containsEntry("initial-cluster", THREE_MEMBERS)
        .containsEntry("initial-cluster-state", "existing")
        .containsEntry("initial-cluster-token", "main-0ld70ken");
  }

  @Test
  void aMemberJoiningAFormedClusterFindsEveryCurrentMemberInItsInitialCluster() {
    ConfigMap live = bootstrapConfigMap(THREE_MEMBERS, "existing", "main-0ld70ken");

    List<HasMetadata> objects = DesiredObjects.of(blueprint(), Optional.of(live), Optional.empty(), true,
        OptionalInt.of(4),
        Optional.of(List.of(0, 1, 2, 3)), 4);

    assertThat(configMapIn(objects).getData())
        .containsEntry("initial-cluster", THREE_MEMBERS + ",main-3=http://main-3" + PEER)
        .containsEntry("initial-cluster-state", "existing")
        .containsEntry("initial-cluster-token", "main-0ld70ken");
    assertThat(statefulSetIn(objects).getSpec().getReplicas()).isEqualTo(4);
  }

  @Test
  void formedClusterWithoutAConfigMapNeverGetsStateNew() {
    List<HasMetadata> objects = DesiredObjects.of(blueprint(), Optional.empty(), Optional.empty(), true,
        OptionalInt.of(3),
        Optional.empty(), 3);

    assertThat(configMapIn(objects).getData()).containsEntry("initial-cluster-state", "existing");
  }

  @Test
  void existingStateIsNeverFlippedBackToNew() {
    ConfigMap live = bootstrapConfigMap(THREE_MEMBERS, "existing", "main-0ld70ken");

    List<HasMetadata> objects = DesiredObjects.of(blueprint(), Optional.of(live), Optional.empty(), false,
        OptionalInt.of(3),
        Optional.empty(), 3);

    assertThat(configMapIn(objects).getData()).containsEntry("initial-cluster-state", "existing");
  }

  @Test
  void incompleteConfigMapIsRebuiltFromTheBlueprint() {
    ConfigMap live = new ConfigMapBuilder().withNewMetadata().withName("main-config").endMetadata()
        .withData(Map.of("initial-cluster", "main-0=http://main-0" + PEER)).build();

    List<HasMetadata> objects = DesiredObjects.of(blueprint(), Optional.of(live), Optional.empty(), false,
        OptionalInt.of(3),
        Optional.empty(), 3);

    assertThat(configMapIn(objects).getData())
        .containsEntry("initial-cluster", THREE_MEMBERS)
        .containsEntry("initial-cluster-token", "main-3f2a9c1e");
  }

  @Test
  void bootstrapOfReadsTheConfigMapAndCountsMembers() {
    Optional<BootstrapConfig> config =
        DesiredObjects.bootstrapOf(bootstrapConfigMap(THREE_MEMBERS, "existing", "main-0ld70ken"));

    assertThat(config).contains(new BootstrapConfig(THREE_MEMBERS, BootstrapConfig.InitialClusterState.EXISTING,
        "main-0ld70ken"));
    assertThat(DesiredObjects.bootstrapMemberCount(config.orElseThrow())).isEqualTo(3);
    assertThat(DesiredObjects.bootstrapOf(bootstrapConfigMap(THREE_MEMBERS, "bogus", "t"))).isEmpty();
    assertThat(DesiredObjects.bootstrapOf(new ConfigMap())).isEmpty();
  }

  @Test
  void immutableStatefulSetFieldsAreCopiedFromTheLiveStatefulSet() {
    StatefulSet live = copy(MemberStatefulSetBuilder.build(blueprint(), 3));
    live.getSpec().setServiceName("legacy-peer");
    live.getSpec().setPodManagementPolicy("OrderedReady");
    live.getSpec().setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", "legacy")).build());
    // The user grew storage to 16Gi: the claim template cannot change (PVCs are expanded instead).
    StorageSpec grown = new StorageSpec();
    grown.setSize("16Gi");

    StatefulSet desired = statefulSetIn(DesiredObjects.of(blueprint(s -> s.setStorage(grown)), Optional.empty(),
        Optional.of(live), true, OptionalInt.of(5), Optional.empty(), 5));

    assertThat(desired.getSpec().getServiceName()).isEqualTo("legacy-peer");
    assertThat(desired.getSpec().getPodManagementPolicy()).isEqualTo("OrderedReady");
    assertThat(desired.getSpec().getSelector().getMatchLabels()).isEqualTo(Map.of("app", "legacy"));
    assertThat(desired.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(claim ->
        assertThat(claim.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("8Gi")));
    // Mutable fields still follow the blueprint and the caller.
    assertThat(desired.getSpec().getReplicas()).isEqualTo(5);
    assertThat(desired.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
  }

  @Test
  void withoutALiveStatefulSetTheBlueprintDecidesEverything() {
    StorageSpec storage = new StorageSpec();
    storage.setSize("16Gi");

    StatefulSet desired = statefulSetIn(DesiredObjects.of(blueprint(s -> s.setStorage(storage)), Optional.empty(),
        Optional.empty(), false, OptionalInt.of(3), Optional.empty(), 3));

    assertThat(desired.getSpec().getServiceName()).isEqualTo("main-peer");
    assertThat(desired.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
    assertThat(desired.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(claim ->
        assertThat(claim.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("16Gi")));
  }

  @Test
  void desiredStatefulSetMatchesTheLiveOneItWasBuiltFrom() {
    StatefulSet live = copy(MemberStatefulSetBuilder.build(blueprint(), 3));

    StatefulSet desired = statefulSetIn(DesiredObjects.of(blueprint(), Optional.empty(), Optional.of(live), true,
        OptionalInt.of(3),
        Optional.empty(), 3));

    assertThat(new ObjectDrift(SERIALIZATION).needsApply(desired, live)).isFalse();
  }
}
