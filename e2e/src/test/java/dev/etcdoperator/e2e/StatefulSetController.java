package dev.etcdoperator.e2e;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The StatefulSet controller stand-in: pods {@code <sts>-<ordinal>} for ordinals 0..replicas-1 ({@code Parallel}:
 * all at once; {@code OrderedReady}: one after the other, each once its predecessor is Ready), scale-down from the
 * highest ordinal, one PVC per claim template and ordinal ({@code <claim>-<sts>-<ordinal>}, backed by a directory
 * from {@link PodVolumes#claimDir} that survives pod deletion and goes with the claim, per the PVC retention policy),
 * pod labels from the template plus {@code controller-revision-hash}, {@code statefulset.kubernetes.io/pod-name} and
 * {@code apps.kubernetes.io/pod-index}, and status (replicas, readyReplicas, currentRevision, updateRevision).
 * {@code OnDelete} updates come for free: existing pods are never replaced, a deleted pod is recreated from the
 * current template with the new revision. Claims carry the PVC protection finalizer; a claim deleted on scale-down
 * (whenScaled: Delete) or with its StatefulSet (whenDeleted: Delete: the claim is owned by the StatefulSet, and
 * {@link GarbageCollector} deletes it with the pods) keeps its data until its pod is gone ({@link ClaimController}).
 * A pod whose claim is still being deleted waits for the fresh claim.
 */
final class StatefulSetController implements StandIn {
  private static final Logger LOG = LoggerFactory.getLogger(StatefulSetController.class);
  static final String REVISION_LABEL = "controller-revision-hash";
  static final String POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
  static final String POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";

  private final KubernetesClient client;
  private final PodVolumes volumes;
  private final StandInLoop loop = new StandInLoop("statefulset-standin");
  private SharedIndexInformer<StatefulSet> statefulSets;
  private SharedIndexInformer<Pod> pods;

  StatefulSetController(KubernetesClient client, PodVolumes volumes) {
    this.client = client;
    this.volumes = volumes;
  }

  @Override
  public void start() {
    statefulSets = client.apps().statefulSets().inAnyNamespace().inform();
    pods = client.pods().inAnyNamespace().inform();
    loop.every(Duration.ofMillis(200), this::sync);
  }

  private void sync() {
    for (StatefulSet sts : statefulSets.getStore().list()) {
      syncOne(sts);
    }
  }

  private void syncOne(StatefulSet sts) {
    String ns = sts.getMetadata().getNamespace();
    String name = sts.getMetadata().getName();
    String revision = name + "-" + revisionHash(sts);
    int replicas = Optional.ofNullable(sts.getSpec().getReplicas()).orElse(1);
    boolean ordered = !"Parallel".equals(sts.getSpec().getPodManagementPolicy());
    Map<Integer, Pod> owned = ownedPods(sts);

    for (int ordinal = 0; ordinal < replicas; ordinal++) {
      Pod pod = owned.get(ordinal);
      if (pod == null) {
        createPod(sts, ordinal, revision);
        if (ordered) {
          break;
        }
      } else if (ordered && !isReady(pod)) {
        break;
      }
    }
    List<Integer> excess = owned.keySet().stream().filter(o -> o >= replicas)
        .sorted(Comparator.reverseOrder()).toList();
    for (int ordinal : excess) {
      Pod pod = owned.get(ordinal);
      if (pod.getMetadata().getDeletionTimestamp() == null) {
        LOG.info("statefulset {}/{}: scaling down, deleting {}", ns, name, pod.getMetadata().getName());
        client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).delete();
        if ("Delete".equals(retention(sts, false))) {
          // ClaimController keeps the data until the pod is gone
          claimsOf(sts, ordinal).forEach(c -> client.persistentVolumeClaims().inNamespace(ns)
              .withName(c.getMetadata().getName()).delete());
        }
      }
      if (ordered) {
        break;
      }
    }
    writeStatus(sts, owned, revision, replicas);
  }

  private Map<Integer, Pod> ownedPods(StatefulSet sts) {
    Map<Integer, Pod> owned = new HashMap<>();
    String prefix = sts.getMetadata().getName() + "-";
    for (Pod pod : pods.getStore().list()) {
      if (!sts.getMetadata().getNamespace().equals(pod.getMetadata().getNamespace())
          || !pod.getMetadata().getName().startsWith(prefix) || !isOwnedBy(pod, sts)) {
        continue;
      }
      try {
        owned.put(Integer.parseInt(pod.getMetadata().getName().substring(prefix.length())), pod);
      } catch (NumberFormatException notOurs) {
        // another StatefulSet whose name shares the prefix
      }
    }
    return owned;
  }

  private static boolean isOwnedBy(Pod pod, StatefulSet sts) {
    return Optional.ofNullable(pod.getMetadata().getOwnerReferences()).orElse(List.of()).stream()
        .anyMatch(r -> sts.getMetadata().getUid().equals(r.getUid()));
  }

  private void createPod(StatefulSet sts, int ordinal, String revision) {
    String ns = sts.getMetadata().getNamespace();
    String podName = sts.getMetadata().getName() + "-" + ordinal;
    ObjectMeta template = Optional.ofNullable(sts.getSpec().getTemplate().getMetadata()).orElse(new ObjectMeta());
    Map<String, String> labels = new LinkedHashMap<>(Optional.ofNullable(template.getLabels()).orElse(Map.of()));
    labels.put(REVISION_LABEL, revision);
    labels.put(POD_NAME_LABEL, podName);
    labels.put(POD_INDEX_LABEL, Integer.toString(ordinal));
    PodSpec spec = client.getKubernetesSerialization().clone(sts.getSpec().getTemplate().getSpec());
    spec.setHostname(podName);
    spec.setSubdomain(sts.getSpec().getServiceName());
    List<Volume> podVolumes = new ArrayList<>(Optional.ofNullable(spec.getVolumes()).orElse(List.of()));
    for (PersistentVolumeClaim claim : claimsOf(sts, ordinal)) {
      if (!ensureClaim(sts, claim)) {
        LOG.debug("pod {} waits for claim {} to finish deleting", podName, claim.getMetadata().getName());
        return;
      }
      podVolumes.add(new VolumeBuilder().withName(templateName(claim, sts, ordinal)).withNewPersistentVolumeClaim()
          .withClaimName(claim.getMetadata().getName()).endPersistentVolumeClaim().build());
    }
    spec.setVolumes(podVolumes);
    Pod pod = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName(podName).withNamespace(ns)
        .withLabels(labels).withAnnotations(template.getAnnotations()).withOwnerReferences(ownerOf(sts))
        .withFinalizers(Kubelet.GRACEFUL_DELETION_FINALIZER)
        .endMetadata().withSpec(spec).build();
    try {
      client.pods().inNamespace(ns).resource(pod).create();
      LOG.info("statefulset {}/{}: created pod {} ({})", ns, sts.getMetadata().getName(), podName, revision);
    } catch (KubernetesClientException e) {
      LOG.debug("create pod {} failed (retrying): {}", podName, e.getMessage());
    }
  }

  /** The claims of an ordinal: template {@code data} becomes {@code data-<sts>-<ordinal>}. */
  private static List<PersistentVolumeClaim> claimsOf(StatefulSet sts, int ordinal) {
    List<PersistentVolumeClaim> claims = new ArrayList<>();
    for (PersistentVolumeClaim template : Optional.ofNullable(sts.getSpec().getVolumeClaimTemplates())
        .orElse(List.of())) {
      claims.add(new PersistentVolumeClaimBuilder(template).editOrNewMetadata()
          .withName(template.getMetadata().getName() + "-" + sts.getMetadata().getName() + "-" + ordinal)
          .withNamespace(sts.getMetadata().getNamespace()).endMetadata().build());
    }
    return claims;
  }

  private static String templateName(PersistentVolumeClaim claim, StatefulSet sts, int ordinal) {
    String name = claim.getMetadata().getName();
    return name.substring(0, name.length() - ("-" + sts.getMetadata().getName() + "-" + ordinal).length());
  }

  /**
   * Creates the claim (with the protection finalizer) unless it exists; false while a claim of that name is still
   * being deleted: the pod must wait for the fresh claim rather than start on the old one's way out.
   */
  private boolean ensureClaim(StatefulSet sts, PersistentVolumeClaim claim) {
    String ns = sts.getMetadata().getNamespace();
    PersistentVolumeClaim live = client.persistentVolumeClaims().inNamespace(ns)
        .withName(claim.getMetadata().getName()).get();
    if (live != null) {
      return live.getMetadata().getDeletionTimestamp() == null;
    }
    if ("Delete".equals(retention(sts, true))) {
      claim.getMetadata().setOwnerReferences(List.of(ownerOf(sts)));
    }
    claim.getMetadata().setFinalizers(List.of(ClaimController.PROTECTION_FINALIZER));
    claim.setStatus(null);
    PersistentVolumeClaim created = client.persistentVolumeClaims().inNamespace(ns).resource(claim).create();
    try {
      Files.createDirectories(volumes.claimDir(ns, claim.getMetadata().getName(), created.getMetadata().getUid()));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return true;
  }

  private static String retention(StatefulSet sts, boolean whenDeleted) {
    var policy = sts.getSpec().getPersistentVolumeClaimRetentionPolicy();
    String value = policy == null ? null : whenDeleted ? policy.getWhenDeleted() : policy.getWhenScaled();
    return value == null ? "Retain" : value;
  }

  private static OwnerReference ownerOf(StatefulSet sts) {
    return new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("StatefulSet")
        .withName(sts.getMetadata().getName()).withUid(sts.getMetadata().getUid()).withController(true)
        .withBlockOwnerDeletion(true).build();
  }

  private void writeStatus(StatefulSet sts, Map<Integer, Pod> owned, String revision, int replicas) {
    int ready = (int) owned.values().stream().filter(StatefulSetController::isReady).count();
    int updated = (int) owned.values().stream()
        .filter(p -> revision.equals(p.getMetadata().getLabels().get(REVISION_LABEL))).count();
    String current = sts.getStatus() != null && sts.getStatus().getCurrentRevision() != null
        && updated < owned.size() ? sts.getStatus().getCurrentRevision() : revision;
    StatefulSetStatus status = new StatefulSetStatusBuilder()
        .withObservedGeneration(sts.getMetadata().getGeneration())
        .withReplicas(owned.size()).withReadyReplicas(ready).withAvailableReplicas(ready)
        .withCurrentReplicas(current.equals(revision) ? updated : owned.size() - updated).withUpdatedReplicas(updated)
        .withCurrentRevision(current).withUpdateRevision(revision).withCollisionCount(0).build();
    if (status.equals(sts.getStatus())) {
      return;
    }
    try {
      StatefulSet fresh = client.apps().statefulSets().inNamespace(sts.getMetadata().getNamespace())
          .withName(sts.getMetadata().getName()).get();
      if (fresh != null) {
        fresh.setStatus(status);
        client.apps().statefulSets().inNamespace(fresh.getMetadata().getNamespace()).resource(fresh).updateStatus();
      }
    } catch (KubernetesClientException e) {
      LOG.debug("statefulset status write failed (retrying): {}", e.getMessage());
    }
  }

  static boolean isReady(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
        .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private String revisionHash(StatefulSet sts) {
    try {
      byte[] json = client.getKubernetesSerialization().asJson(sts.getSpec().getTemplate())
          .getBytes(StandardCharsets.UTF_8);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json)).substring(0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    loop.stop();
    if (statefulSets != null) {
      statefulSets.close();
    }
    if (pods != null) {
      pods.close();
    }
  }
}
