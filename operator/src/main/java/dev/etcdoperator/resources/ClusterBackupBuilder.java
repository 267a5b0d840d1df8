package dev.etcdoperator.resources;

import dev.etcdoperator.api.v1alpha1.ClusterReference;
import dev.etcdoperator.api.v1alpha1.EtcdBackup;
import dev.etcdoperator.api.v1alpha1.EtcdBackupSpec;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import java.util.HashMap;
import java.util.Map;

/**
 * An EtcdBackup the operator makes for a cluster (a scheduled run, the snapshot before a minor upgrade): to the
 * cluster's spec.backup destination, with the cluster's labels and a component label saying why, and no owner
 * reference, so that it outlives the cluster.
 */
public final class ClusterBackupBuilder {
  private ClusterBackupBuilder() {}

  public static EtcdBackup build(EtcdCluster cluster, String name, String component,
      EtcdBackupSpec.DeletionPolicy deletionPolicy, Map<String, String> annotations) {
    EtcdBackup backup = new EtcdBackup();
    backup.getMetadata().setName(name);
    backup.getMetadata().setNamespace(cluster.getMetadata().getNamespace());
    Map<String, String> labels = new HashMap<>(new ClusterLabels(cluster.getMetadata().getName()).forOwnedObjects());
    labels.put(ClusterLabels.COMPONENT, component);
    backup.getMetadata().setLabels(labels);
    backup.getMetadata().setAnnotations(annotations.isEmpty() ? null : Map.copyOf(annotations));
    EtcdBackupSpec spec = new EtcdBackupSpec();
    spec.setClusterRef(new ClusterReference(cluster.getMetadata().getName()));
    spec.setDestination(cluster.getSpec().getBackup().getDestination());
    spec.setDeletionPolicy(deletionPolicy);
    backup.setSpec(spec);
    return backup;
  }
}
