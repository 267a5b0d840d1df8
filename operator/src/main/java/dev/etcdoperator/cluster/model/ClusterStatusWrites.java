package dev.etcdoperator.cluster.model;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every write of an EtcdCluster's status, and what makes the next reconcile start from it.
 *
 * <p>A write is a server-side apply of the status alone, forced, with the reconciler's field manager (as JOSDK's own
 * status patch would be). JOSDK hands a reconcile the cluster from its informer's cache, which it does not update
 * with the operator's own status writes: a reconcile that follows the last one quickly (a pod's event, a short
 * requeue) can read the status from before that write. A status computed from it would drop what the write recorded
 * (a membership change's intent, with the stale claim or pod of a member being replaced) and show conditions already
 * left behind. So each write's resource version is kept, and a cluster read older than that is read again from the
 * API server.
 */
public final class ClusterStatusWrites {
  private final KubernetesClient client;
  private final String fieldManager;
  // by the cluster's UID: a cluster deleted and made again under the same name starts afresh
  private final Map<String, Long> lastWritten = new ConcurrentHashMap<>();

  public ClusterStatusWrites(KubernetesClient client, String fieldManager) {
    this.client = client;
    this.fieldManager = fieldManager;
  }

  /** Writes {@code status} as the cluster's status, and sets it on {@code cluster} for the rest of the reconcile. */
  public void write(EtcdCluster cluster, EtcdClusterStatus status) {
    EtcdCluster patch = new EtcdCluster();
    patch.getMetadata().setName(cluster.getMetadata().getName());
    patch.getMetadata().setNamespace(cluster.getMetadata().getNamespace());
    patch.setSpec(null);
    patch.setStatus(status);
    EtcdCluster written = client.resource(patch).subresource("status").patch(new PatchContext.Builder()
        .withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager(fieldManager).withForce(true).build(), patch);
    cluster.setStatus(status);
    Optional.ofNullable(cluster.getMetadata().getUid()).ifPresent(uid -> resourceVersion(written)
        .ifPresent(version -> lastWritten.merge(uid, version, Math::max)));
  }

  /** The cluster to reconcile: {@code read}, or the API server's copy if {@code read} predates our last write. */
  public EtcdCluster latest(EtcdCluster read) {
    Long written = read.getMetadata().getUid() == null ? null : lastWritten.get(read.getMetadata().getUid());
    OptionalLong version = resourceVersion(read);
    if (written == null || version.isEmpty() || version.getAsLong() >= written) {
      return read;
    }
    EtcdCluster fresh = client.resources(EtcdCluster.class).inNamespace(read.getMetadata().getNamespace())
        .withName(read.getMetadata().getName()).get();
    return fresh == null ? read : fresh;
  }

  public void forget(EtcdCluster cluster) {
    Optional.ofNullable(cluster.getMetadata().getUid()).ifPresent(lastWritten::remove);
  }

  /** Resource versions are opaque strings; the API server's are numbers, and any other makes no fence. */
  private static OptionalLong resourceVersion(EtcdCluster cluster) {
    try {
      return cluster == null || cluster.getMetadata().getResourceVersion() == null ? OptionalLong.empty()
          : OptionalLong.of(Long.parseLong(cluster.getMetadata().getResourceVersion()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
