package dev.etcdoperator.resources;

import dev.etcdoperator.testing.TestClusters;
import static dev.etcdoperator.testing.TestClusters.blueprint;
import static dev.etcdoperator.testing.TestClusters.cluster;
import static dev.etcdoperator.testing.TestClusters.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdPodTemplate;
import dev.etcdoperator.api.v1alpha1.EtcdTuning;
import dev.etcdoperator.api.v1alpha1.StorageSpec;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterBlueprintTest {

  @Test
  void appliesDefaultsForAMinimalSpec() {
    ClusterBlueprint bp = blueprint("3.5.21");

    assertThat(bp.names()).isEqualTo(new ClusterNames("main", "db"));
    assertThat(bp.uid()).isEqualTo(TestClusters.UID);
    assertThat(bp.ownerApiVersion()).isEqualTo("etcdoperator.dev/v1alpha1");
    assertThat(bp.ownerKind()).isEqualTo("EtcdCluster");
    assertThat(bp.replicas()).isEqualTo(3);
    assertThat(bp.image()).isEqualTo("gcr.io/etcd-development/etcd:v3.5.21");
    assertThat(bp.storage()).isEqualTo(new MemberStorage.PersistentVolume("8Gi", Optional.empty(), false));
    assertThat(bp.etcd()).isEqualTo(EtcdSettings.DEFAULTS);
    assertThat(bp.pod()).isEqualTo(PodSettings.DEFAULTS);
    assertThat(bp.scheme()).isEqualTo("http");
  }

  @Test
  void theCallerChoosesTheVersionNotTheSpec() {
    EtcdCluster cluster = cluster(s -> s.setVersion("3.6.5"));

    ClusterBlueprint bp = ClusterBlueprint.from(cluster, version("3.5.21"), "mirror.example/etcd");

    assertThat(bp.version()).isEqualTo(version("3.5.21"));
    assertThat(bp.image()).isEqualTo("mirror.example/etcd:v3.5.21");
  }

  @Test
  void specImageOverridesTheRepository() {
    ClusterBlueprint bp = blueprint("3.5.21", s -> s.setImage("registry.local/etcd@sha256:abc"));

    assertThat(bp.image()).isEqualTo("registry.local/etcd@sha256:abc");
  }

  @Test
  void resolvesPersistentStorageWithClass() {
    StorageSpec storage = new StorageSpec();
    storage.setSize("20Gi");
    storage.setStorageClassName("fast-ssd");

    ClusterBlueprint bp = blueprint("3.5.21", s -> s.setStorage(storage));

    assertThat(bp.storage()).isEqualTo(new MemberStorage.PersistentVolume("20Gi", Optional.of("fast-ssd"), false));
  }

  @Test
  void resolvesEmptyDirStorage() {
    StorageSpec storage = new StorageSpec();
    StorageSpec.EmptyDirStorage emptyDir = new StorageSpec.EmptyDirStorage();
    emptyDir.setMedium("Memory");
    emptyDir.setSizeLimit("1Gi");
    storage.setEmptyDir(emptyDir);

    ClusterBlueprint bp = blueprint("3.5.21", s -> s.setStorage(storage));

    assertThat(bp.storage()).isEqualTo(new MemberStorage.EmptyDir(Optional.of("1Gi"), Optional.of("Memory")));
  }

  @Test
  void resolvesTuningWithSortedExtraArgs() {
    EtcdTuning tuning = new EtcdTuning();
    tuning.setQuotaBackendBytes(4L << 30);
    tuning.setLogLevel(EtcdTuning.LogLevel.warn);
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put("zz-flag", "1");
    extra.put("aa-flag", "2");
    tuning.setExtraArgs(extra);

    ClusterBlueprint bp = blueprint("3.5.21", s -> s.setEtcd(tuning));

    assertThat(bp.etcd().quotaBackendBytes()).contains(4L << 30);
    assertThat(bp.etcd().logLevel()).contains(EtcdTuning.LogLevel.warn);
    assertThat(bp.etcd().heartbeatIntervalMillis()).isEmpty();
    assertThat(bp.etcd().extraArgs().keySet()).containsExactly("aa-flag", "zz-flag");
  }

  /** etcd 3.6 refuses to start with the v2 flags; the same flags are fine on 3.5. */
  @Test
  void flagsTheVersionNoLongerHasAreRefusedWithTheReason() {
    EtcdTuning tuning = new EtcdTuning();
    tuning.setExtraArgs(Map.of("enable-v2", "true"));

    assertThat(blueprint("3.5.21", s -> s.setEtcd(tuning)).etcd().extraArgs()).containsKey("enable-v2");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> blueprint("3.6.5", s -> s.setEtcd(tuning)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spec.etcd.extraArgs sets enable-v2, which etcd 3.6 removed: etcd 3.6.5 would not start; remove "
            + "it first");
  }

  @Test
  void replicasComeFromTheSpec() {
    assertThat(blueprint("3.5.21", s -> s.setReplicas(5)).replicas()).isEqualTo(5);
    assertThat(blueprint("3.5.21", s -> s.setReplicas(null)).replicas()).isEqualTo(3);
  }

  @Test
  void podSettingsAreCopiesTheSpecCannotChangeLater() {
    EtcdPodTemplate template = new EtcdPodTemplate();
    template.setResources(new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity("1")).build());
    template.setAffinity(new AffinityBuilder().withNewNodeAffinity().endNodeAffinity().build());
    ClusterBlueprint bp = blueprint("3.5.21", s -> s.setPodTemplate(template));

    template.getResources().getRequests().put("cpu", new Quantity("8"));
    bp.pod().resources().orElseThrow().getRequests().put("cpu", new Quantity("9"));

    assertThat(bp.pod().resources().orElseThrow().getRequests()).containsEntry("cpu", new Quantity("1"));
  }

  @Test
  void refusesAnObjectTheApiServerHasNotStored() {
    EtcdCluster cluster = cluster(s -> {});
    cluster.getMetadata().setUid(null);

    assertThatThrownBy(() -> ClusterBlueprint.from(cluster, version("3.5.21"), TestClusters.REPOSITORY))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("uid");
  }

  @Test
  void schemeCanBeSwitchedForTls() {
    assertThat(blueprint().withTls(new MemberTls.Mutual("main-server-tls", "main-peer-tls")).scheme()).isEqualTo("https");
  }
}
