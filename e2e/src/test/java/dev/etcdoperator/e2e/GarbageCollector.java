package dev.etcdoperator.e2e;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The garbage-collector stand-in (the mock API server does none): an object whose owner references all point at
 * owners that no longer exist is deleted (background propagation), so deleting an {@code EtcdCluster} removes its
 * StatefulSet, Services, ConfigMap, PDB and Secrets, and deleting a StatefulSet removes its pods.
 *
 * <p>An owner missing from the informer caches is confirmed absent with a live read (by kind, name and uid) before
 * anything is deleted, as the real collector does: a dependent created right after its owner must not lose a race
 * with the owner's informer. Owners of kinds this stand-in does not know are assumed present.
 *
 * <p>PersistentVolumeClaims are left to {@link StatefulSetController}, which deletes the claims of a deleted
 * StatefulSet per its retention policy and removes their data only once no process of their pod can still write
 * to them (what pvc-protection and the volume reclaim policy do in a real cluster).
 */
final class GarbageCollector implements StandIn {
  private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);

  private final KubernetesClient client;
  private final List<SharedIndexInformer<? extends HasMetadata>> dependents = new ArrayList<>();
  private final StandInLoop loop = new StandInLoop("gc-standin");

  GarbageCollector(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public void start() {
    dependents.add(client.apps().statefulSets().inAnyNamespace().inform());
    dependents.add(client.services().inAnyNamespace().inform());
    dependents.add(client.configMaps().inAnyNamespace().inform());
    dependents.add(client.secrets().inAnyNamespace().inform());
    dependents.add(client.policy().v1().podDisruptionBudget().inAnyNamespace().inform());
    dependents.add(client.pods().inAnyNamespace().inform());
    dependents.add(client.persistentVolumeClaims().inAnyNamespace().inform());
    loop.every(Duration.ofMillis(250), this::collect);
  }

  private void collect() {
    for (SharedIndexInformer<? extends HasMetadata> informer : dependents) {
      for (HasMetadata object : informer.getStore().list()) {
        List<OwnerReference> owners = Optional.ofNullable(object.getMetadata().getOwnerReferences()).orElse(List.of());
        String ns = object.getMetadata().getNamespace();
        if (!owners.isEmpty() && owners.stream().noneMatch(o -> ownerExists(ns, o))) {
          delete(object);
        }
      }
    }
  }

  private boolean ownerExists(String namespace, OwnerReference owner) {
    if (!KNOWN_KINDS.contains(owner.getKind())) {
      return true;
    }
    HasMetadata live;
    try {
      live = switch (owner.getKind()) {
        case "EtcdCluster" -> client.resources(EtcdCluster.class).inNamespace(namespace).withName(owner.getName())
            .get();
        case "StatefulSet" -> client.apps().statefulSets().inNamespace(namespace).withName(owner.getName()).get();
        case "Service" -> client.services().inNamespace(namespace).withName(owner.getName()).get();
        case "ConfigMap" -> client.configMaps().inNamespace(namespace).withName(owner.getName()).get();
        case "Secret" -> client.secrets().inNamespace(namespace).withName(owner.getName()).get();
        case "Pod" -> client.pods().inNamespace(namespace).withName(owner.getName()).get();
        default -> throw new IllegalStateException(owner.getKind());
      };
    } catch (KubernetesClientException e) {
      return true; // cannot tell: keep the dependent, as the real collector does on lookup errors
    }
    return live != null && owner.getUid().equals(live.getMetadata().getUid());
  }

  private static final Set<String> KNOWN_KINDS = Set.of("EtcdCluster", "StatefulSet", "Service", "ConfigMap",
      "Secret", "Pod");

  private void delete(HasMetadata object) {
    try {
      // Only the incarnation the cache saw without an owner, and once: a controller may have made a new object of
      // the same name since (a StatefulSet re-created pods), which a delete by name would hit.
      HasMetadata live = client.resource(object).get();
      if (live == null || !object.getMetadata().getUid().equals(live.getMetadata().getUid())
          || live.getMetadata().getDeletionTimestamp() != null) {
        return;
      }
      client.resource(live).withGracePeriod(30).delete();
      LOG.info("garbage collected {} {}/{} (owner gone)", object.getKind(), object.getMetadata().getNamespace(),
          object.getMetadata().getName());
    } catch (KubernetesClientException e) {
      LOG.debug("garbage collection of {} failed (retrying): {}", object.getMetadata().getName(), e.getMessage());
    }
  }

  @Override
  public void close() {
    loop.stop();
    dependents.forEach(SharedIndexInformer::close);
  }
}
