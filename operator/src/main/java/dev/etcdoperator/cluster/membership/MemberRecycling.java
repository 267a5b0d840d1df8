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
 * recreated either since (then it is already new, and deleting it would only cost a restart).
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
    recycle.claim().ifPresent(claim -> deleteIf(client.persistentVolumeClaims().inNamespace(ns).withName(claim),
        intent.map(MembershipChange::getStaleVolumeClaimUID)));
    if (recycle.pod()) {
      deleteIf(client.pods().inNamespace(ns).withName(recycle.member()), intent.map(MembershipChange::getStalePodUID));
    }
  }

  /** Deletes the object if it is still the incarnation of that UID (or, with no UID recorded, whatever it is). */
  private static <T extends HasMetadata> void deleteIf(Resource<T> resource, Optional<String> uid) {
    T live = resource.get();
    if (live != null && uid.map(u -> u.equals(live.getMetadata().getUid())).orElse(true)) {
      resource.delete();
    }
  }
}
