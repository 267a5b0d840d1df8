package dev.etcdoperator.cluster.membership;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.MembershipChange;
import dev.etcdoperator.cluster.model.MembershipAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.Optional;

/**
 * Deletes the old claim and pod of a member being replaced, so that the StatefulSet recreates them empty. Only the
 * incarnations recorded when the member was removed go: the plan was made from a cache, and the StatefulSet may have
 * recreated either since (then it is already new, and deleting it would only cost a restart). The one exception: a
 * pod on the stale claim goes whatever its UID, since it runs on the removed member's data.
 */
final class MemberRecycling {
  private final KubernetesClient client;

  MemberRecycling(KubernetesClient client) {
    this.client = client;
  }

  void recycle(EtcdCluster cluster, MembershipAction.Recycle recycle) {
    String ns = cluster.getMetadata().getNamespace();
    Optional<MembershipChange> intent = Optional.ofNullable(cluster.getStatus())
        .map(EtcdClusterStatus::getMembershipChange);
    // Claim first: once the pod is gone the StatefulSet recreates it, and it must not find the old claim.
    boolean claimStale = recycle.claim().map(claim -> deleteIf(client.persistentVolumeClaims().inNamespace(ns)
        .withName(claim), intent.map(MembershipChange::getStaleVolumeClaimUID))).orElse(false);
    // Whatever pod runs on a stale claim runs on the removed member's data: it goes, whichever incarnation it is.
    deleteIf(client.pods().inNamespace(ns).withName(recycle.member()),
        claimStale ? Optional.empty() : intent.map(MembershipChange::getStalePodUID));
  }

  /**
   * Deletes the object if it is still the incarnation of that UID (or, with no UID recorded, whatever it is).
   *
   * @return whether it was (and is now being deleted)
   */
  private static <T extends HasMetadata> boolean deleteIf(Resource<T> resource, Optional<String> uid) {
    T live = resource.get();
    if (live != null && uid.map(u -> u.equals(live.getMetadata().getUid())).orElse(true)) {
      resource.delete();
      return true;
    }
    return false;
  }
}
