package dev.etcdoperator.e2e;

import dev.etcdoperator.support.FileTree;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PVC protection and a local volume provisioner with reclaim policy Delete, in one: a claim carries the
 * {@value #PROTECTION_FINALIZER} finalizer, so deleting it while a pod uses it only marks it Terminating (the
 * member keeps its data); once no pod object names it any more, its
 * directory ({@link PodVolumes#claimDir}) is removed and the finalizer dropped, and the object goes.
 */
final class ClaimController implements StandIn {
  static final String PROTECTION_FINALIZER = "kubernetes.io/pvc-protection";
  private static final Logger LOG = LoggerFactory.getLogger(ClaimController.class);

  private final KubernetesClient client;
  private final PodVolumes volumes;
  private final StandInLoop loop = new StandInLoop("claim-standin");
  private SharedIndexInformer<PersistentVolumeClaim> claims;
  private SharedIndexInformer<Pod> pods;

  ClaimController(KubernetesClient client, PodVolumes volumes) {
    this.client = client;
    this.volumes = volumes;
  }

  @Override
  public void start() {
    claims = client.persistentVolumeClaims().inAnyNamespace().inform();
    pods = client.pods().inAnyNamespace().inform();
    loop.every(Duration.ofMillis(200), this::sync);
  }

  private void sync() {
    for (PersistentVolumeClaim claim : claims.getStore().list()) {
      if (claim.getMetadata().getDeletionTimestamp() != null && !inUse(claim)) {
        release(claim);
      }
    }
  }

  /**
   * Whether a pod object names the claim. A deleted pod's object stays until the kubelet has stopped its process,
   * so no process can still write to a claim this says is free.
   */
  private boolean inUse(PersistentVolumeClaim claim) {
    String ns = claim.getMetadata().getNamespace();
    String name = claim.getMetadata().getName();
    for (Pod pod : pods.getStore().list()) {
      if (ns.equals(pod.getMetadata().getNamespace()) && mounts(pod, name)) {
        return true;
      }
    }
    return false;
  }

  private static boolean mounts(Pod pod, String claim) {
    return Optional.ofNullable(pod.getSpec().getVolumes()).orElse(List.of()).stream()
        .anyMatch(v -> v.getPersistentVolumeClaim() != null
            && claim.equals(v.getPersistentVolumeClaim().getClaimName()));
  }

  /**
   * Removes the claim's data and drops its finalizer, if the claim of that name is still this one: a release decided
   * on a cache that has not yet seen the claim go leaves a claim made anew under the name, and its data, alone.
   */
  void release(PersistentVolumeClaim claim) {
    String ns = claim.getMetadata().getNamespace();
    String name = claim.getMetadata().getName();
    String uid = claim.getMetadata().getUid();
    try {
      PersistentVolumeClaim live = client.persistentVolumeClaims().inNamespace(ns).withName(name).get();
      if (live == null || !uid.equals(live.getMetadata().getUid())) {
        return;
      }
      deleteRecursively(volumes.claimDir(ns, name, uid));
      List<String> finalizers = new ArrayList<>(Optional.ofNullable(live.getMetadata().getFinalizers())
          .orElse(List.of()));
      finalizers.remove(PROTECTION_FINALIZER);
      live.getMetadata().setFinalizers(finalizers);
      // The read resourceVersion goes with the update: it fails, to be retried, if the claim changed meanwhile.
      client.persistentVolumeClaims().inNamespace(ns).resource(live).update();
      LOG.info("claim {}/{} released: its data is gone", ns, name);
    } catch (KubernetesClientException e) {
      LOG.debug("claim {}/{} release failed (retrying): {}", ns, name, e.getMessage());
    }
  }

  static void deleteRecursively(Path dir) {
    try {
      FileTree.delete(dir);
    } catch (IOException e) {
      LOG.warn("cannot delete {}: {}", dir, e.getMessage());
    }
  }

  @Override
  public void close() {
    loop.stop();
    if (claims != null) {
      claims.close();
    }
    if (pods != null) {
      pods.close();
    }
  }
}
