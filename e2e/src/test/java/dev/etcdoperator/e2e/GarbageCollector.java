package dev.etcdoperator.e2e;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The garbage-collector stand-in (the mock API server does none): an object whose owner references all point at
 * owners that no longer exist is deleted (background propagation), so deleting an {@code EtcdCluster} removes its
 * StatefulSet, Services, ConfigMap, PDB and Secrets, and deleting a StatefulSet removes its pods.
 *
 * <p>Owners are looked up in informer caches; one missing from them is confirmed absent with a live read (by kind,
 * name and uid) before anything is deleted, as the real collector does: a dependent created right after its owner
 * must not lose a race with the owner's informer. (Reading every owner live on every pass, four times a second, had
 * the API stand-in answer thousands of reads a second with a hundred clusters, more load than the operator put on
 * it.) Owners of kinds this stand-in does not know are assumed present.
 *
 * <p>PersistentVolumeClaims are left to {@link StatefulSetController}, which deletes the claims of a deleted
 * StatefulSet per its retention policy and removes their data only once no process of their pod can still write
 * to them (what pvc-protection and the volume reclaim policy do in a real cluster).
 */
final class GarbageCollector implements StandIn {
  private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);

  private final KubernetesClient client;
  private final List<SharedIndexInformer<? extends HasMetadata>> dependents = new ArrayList<>();
  /** The informers of the owner kinds this stand-in knows, by kind. */
  private final Map<String, SharedIndexInformer<? extends HasMetadata>> owners = new HashMap<>();
  private final StandInLoop loop = new StandInLoop("gc-standin");

  GarbageCollector(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public void start() {
    owners.put("EtcdCluster", client.resources(EtcdCluster.class).inAnyNamespace().inform());
    owners.put("StatefulSet", client.apps().statefulSets().inAnyNamespace().inform());
    owners.put("Service", client.services().inAnyNamespace().inform());
    owners.put("ConfigMap", client.configMaps().inAnyNamespace().inform());
    owners.put("Secret", client.secrets().inAnyNamespace().inform());
    owners.put("Pod", client.pods().inAnyNamespace().inform());
    owners.forEach((kind, informer) -> {
      if (!kind.equals("EtcdCluster")) {
        dependents.add(informer);
      }
    });
    dependents.add(client.policy().v1().podDisruptionBudget().inAnyNamespace().inform());
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
    SharedIndexInformer<? extends HasMetadata> informer = owners.get(owner.getKind());
    if (informer == null) {
      return true;
    }
    HasMetadata cached = informer.getStore().getByKey(namespace + "/" + owner.getName());
    if (cached != null && owner.getUid().equals(cached.getMetadata().getUid())) {
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
    Optional.ofNullable(owners.get("EtcdCluster")).ifPresent(SharedIndexInformer::close);
  }
}
