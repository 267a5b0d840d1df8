package dev.etcdoperator.metrics;

import dev.etcdoperator.api.v1alpha1.EtcdBackup;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.micrometer.core.instrument.Tags;
import java.util.Optional;

/** Which EtcdCluster a series is about: its namespace and name, the two labels every cluster series carries. */
public record ClusterKey(String namespace, String name) {
  static final String NAMESPACE = "namespace";
  static final String CLUSTER = "cluster";

  public static ClusterKey of(EtcdCluster cluster) {
    return new ClusterKey(cluster.getMetadata().getNamespace(), cluster.getMetadata().getName());
  }

  /** The cluster an object of ours is about: the cluster itself, or the one a backup names. */
  static Optional<ClusterKey> about(HasMetadata object) {
    if (object instanceof EtcdCluster cluster) {
      return Optional.of(of(cluster));
    }
    if (object instanceof EtcdBackup backup && backup.getSpec() != null && backup.getSpec().getClusterRef() != null
        && backup.getSpec().getClusterRef().getName() != null) {
      return Optional.of(new ClusterKey(backup.getMetadata().getNamespace(),
          backup.getSpec().getClusterRef().getName()));
    }
    return Optional.empty();
  }

  Tags tags() {
    return Tags.of(NAMESPACE, namespace, CLUSTER, name);
  }
}
