package dev.etcdoperator.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterSpec;
import dev.etcdoperator.resources.ClusterBlueprint;
import dev.etcdoperator.support.EtcdVersion;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.function.Consumer;

/** EtcdCluster objects as the API server would hand them to the reconciler, and shared assertions. */
public final class TestClusters {
  public static final String NAME = "main";
  public static final String NAMESPACE = "db";
  public static final String UID = "3f2a9c1e-7b4d-4e8a-9c2f-1a2b3c4d5e6f";
  public static final String REPOSITORY = ClusterBlueprint.DEFAULT_IMAGE_REPOSITORY;

  private TestClusters() {}

  public static EtcdCluster cluster(Consumer<EtcdClusterSpec> spec) {
    EtcdCluster cluster = new EtcdCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName(NAME).withNamespace(NAMESPACE).withUid(UID).build());
    EtcdClusterSpec s = new EtcdClusterSpec();
    spec.accept(s);
    cluster.setSpec(s);
    return cluster;
  }

  public static EtcdVersion version(String text) {
    return EtcdVersion.parse(text).orElseThrow();
  }

  public static ClusterBlueprint blueprint(String version, Consumer<EtcdClusterSpec> spec) {
    return ClusterBlueprint.from(cluster(spec), version(version), REPOSITORY);
  }

  public static ClusterBlueprint blueprint(String version) {
    return blueprint(version, s -> {});
  }

  public static ClusterBlueprint blueprint() {
    return blueprint("3.5.21");
  }

  /** What `kubectl get -o yaml` shows for every owned object: name, namespace, our labels, one controller. */
  public static void assertOwnedObject(HasMetadata object, String name) {
    assertThat(object.getMetadata().getName()).isEqualTo(name);
    assertThat(object.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    assertThat(object.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/name", "etcd")
        .containsEntry("app.kubernetes.io/instance", NAME)
        .containsEntry("app.kubernetes.io/managed-by", "etcd-operator");
    assertThat(object.getMetadata().getOwnerReferences()).hasSize(1);
    OwnerReference owner = object.getMetadata().getOwnerReferences().get(0);
    assertThat(owner.getApiVersion()).isEqualTo("etcdoperator.dev/v1alpha1");
    assertThat(owner.getKind()).isEqualTo("EtcdCluster");
    assertThat(owner.getName()).isEqualTo(NAME);
    assertThat(owner.getUid()).isEqualTo(UID);
    assertThat(owner.getController()).isTrue();
    assertThat(owner.getBlockOwnerDeletion()).isTrue();
  }
}
