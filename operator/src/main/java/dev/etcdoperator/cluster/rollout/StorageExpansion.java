package dev.etcdoperator.cluster.rollout;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.resources.ClusterLabels;
import dev.etcdoperator.resources.ClusterNames;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Optional;

/**
 * Grows member volumes. Each PVC is expanded (the storage class must allow it, or the API server says why), then
 * the StatefulSet is deleted with orphan propagation so its pods keep running; the next reconcile re-creates it
 * with the larger claim template and it adopts the same pods. Every part is idempotent, so a crash anywhere is
 * repaired by running it again.
 */
public final class StorageExpansion {
  private final KubernetesClient client;

  public StorageExpansion(KubernetesClient client) {
    this.client = client;
  }

  public void expand(EtcdCluster cluster, Quantity size) {
    ClusterNames names = new ClusterNames(cluster.getMetadata().getName(), cluster.getMetadata().getNamespace());
    var claims = client.persistentVolumeClaims().inNamespace(names.namespace())
        .withLabels(new ClusterLabels(names.cluster()).selector()).list().getItems();
    String patch = "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"" + size + "\"}}}}";
    for (PersistentVolumeClaim claim : claims) {
      Optional<Quantity> current = Optional.ofNullable(claim.getSpec().getResources().getRequests())
          .map(r -> r.get("storage"));
      if (current.isEmpty() || StorageGrowth.isLarger(size, current.get())) {
        client.persistentVolumeClaims().inNamespace(names.namespace()).withName(claim.getMetadata().getName())
            .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      }
    }
    client.apps().statefulSets().inNamespace(names.namespace()).withName(names.statefulSet())
        .withPropagationPolicy(DeletionPropagation.ORPHAN).delete();
  }
}
