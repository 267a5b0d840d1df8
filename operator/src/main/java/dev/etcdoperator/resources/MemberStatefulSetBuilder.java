package dev.etcdoperator.resources;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The StatefulSet of the members. It only gives pods stable names, addresses and volumes; the operator decides
 * membership and restarts itself, which is why updates are OnDelete and pods start in Parallel.
 */
public final class MemberStatefulSetBuilder {
  public static final String DATA_VOLUME = "data";
  public static final long RUN_AS = 65532L;
  public static final String HOSTNAME_TOPOLOGY_KEY = "kubernetes.io/hostname";

  private MemberStatefulSetBuilder() {}

  /**
   * @param replicas the member count to run now: spec.replicas at bootstrap, afterwards what the reconciler derives
   *     from etcd's membership (it grows one member at a time)
   */
  public static StatefulSet build(ClusterBlueprint blueprint, int replicas) {
    ClusterNames names = blueprint.names();
    return new StatefulSetBuilder()
        .withMetadata(OwnedMetadata.of(blueprint, names.statefulSet()))
        .withNewSpec()
        .withServiceName(names.peerService())
        .withReplicas(replicas)
        // Bootstrap needs all initial members up at once; OrderedReady would wait for member 0 to be ready, which
        // it cannot be without a quorum.
        .withPodManagementPolicy("Parallel")
        // The operator restarts members itself, one at a time and only when quorum allows (GUIDE section 5).
        .withNewUpdateStrategy()
        .withType("OnDelete")
        .endUpdateStrategy()
        // A removed member's data must never be reused (safety rule 11), so its claim goes with it, unless the
        // user keeps it (then the operator refuses to scale out onto it). Deleting the StatefulSet alone (a common
        // "the operator re-creates it" move) keeps every member's data: the claims go with the EtcdCluster only.
        .withNewPersistentVolumeClaimRetentionPolicy()
        .withWhenDeleted("Retain")
        .withWhenScaled(blueprint.storage() instanceof MemberStorage.PersistentVolume v && v.retainOnScaleDown()
            ? "Retain" : "Delete")
        .endPersistentVolumeClaimRetentionPolicy()
        .withNewSelector()
        .withMatchLabels(blueprint.labels().selector())
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(podLabels(blueprint))
        .withAnnotations(podAnnotations(blueprint))
        .endMetadata()
        .withSpec(podSpec(blueprint))
        .endTemplate()
        .withVolumeClaimTemplates(volumeClaimTemplates(blueprint))
        .endSpec()
        .build();
  }

  /** The user's annotations, and the TLS trust generation, whose change rolls the members. */
  private static java.util.Map<String, String> podAnnotations(ClusterBlueprint blueprint) {
    java.util.Map<String, String> annotations = new java.util.TreeMap<>(blueprint.pod().annotations());
    if (blueprint.tls() instanceof MemberTls.Mutual mutual && !mutual.trustGeneration().isEmpty()) {
      annotations.put(MemberTls.TRUST_GENERATION_ANNOTATION, mutual.trustGeneration());
    }
    return annotations.isEmpty() ? null : annotations;
  }

  /** The user's labels, then ours: the selector must keep matching whatever the user sets. */
  static Map<String, String> podLabels(ClusterBlueprint blueprint) {
    Map<String, String> labels = new LinkedHashMap<>(blueprint.pod().labels());
    labels.putAll(blueprint.labels().selector());
    return labels;
  }

  private static PodSpec podSpec(ClusterBlueprint blueprint) {
    PodSettings pod = blueprint.pod();
    return new PodSpecBuilder()
        .withContainers(MemberContainerBuilder.build(blueprint))
        .withVolumes(volumes(blueprint).isEmpty() ? null : volumes(blueprint))
        // etcd treats ETCD_* variables as flags; service links would inject ETCD_PORT etc. for a Service named etcd.
        .withEnableServiceLinks(false)
        .withAutomountServiceAccountToken(false)
        .withTerminationGracePeriodSeconds(30L)
        .withSecurityContext(podSecurityContext())
        .withAffinity(pod.affinity().orElseGet(() -> spreadOverNodes(blueprint.labels().selector())))
        .withTolerations(pod.tolerations().isEmpty() ? null : pod.tolerations())
        .withNodeSelector(pod.nodeSelector().isEmpty() ? null : pod.nodeSelector())
        .withTopologySpreadConstraints(
            pod.topologySpreadConstraints().isEmpty() ? null : pod.topologySpreadConstraints())
        .withPriorityClassName(pod.priorityClassName().orElse(null))
        .build();
  }

  /** Pod volumes; with persistent storage "data" comes from the claim template instead. */
  static List<Volume> volumes(ClusterBlueprint blueprint) {
    List<Volume> volumes = new ArrayList<>();
    if (blueprint.storage() instanceof MemberStorage.EmptyDir emptyDir) {
      volumes.add(new VolumeBuilder()
          .withName(DATA_VOLUME)
          .withNewEmptyDir()
          .withSizeLimit(emptyDir.sizeLimit().map(Quantity::new).orElse(null))
          .withMedium(emptyDir.medium().orElse(null))
          .endEmptyDir()
          .build());
    }
    if (blueprint.tls() instanceof MemberTls.Mutual mutual) {
      volumes.add(secretVolume(MemberTls.SERVER_VOLUME, mutual.serverSecret()));
      volumes.add(secretVolume(MemberTls.PEER_VOLUME, mutual.peerSecret()));
    }
    return List.copyOf(volumes);
  }

  /** Readable by the etcd user only (through fsGroup); the kubelet refreshes the files when the Secret changes. */
  private static Volume secretVolume(String name, String secret) {
    return new VolumeBuilder().withName(name)
        .withNewSecret().withSecretName(secret).withDefaultMode(0440).endSecret()
        .build();
  }

  private static List<PersistentVolumeClaim> volumeClaimTemplates(ClusterBlueprint blueprint) {
    return blueprint.storage() instanceof MemberStorage.PersistentVolume volume
        ? List.of(claimTemplate(blueprint, volume)) : null;
  }

  /** The member volume claim template; {@link MemberClaimBuilder} makes a member's claim from it ahead of time. */
  static PersistentVolumeClaim claimTemplate(ClusterBlueprint blueprint, MemberStorage.PersistentVolume volume) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(DATA_VOLUME)
        .withLabels(blueprint.labels().selector())
        .endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withStorageClassName(volume.storageClassName().orElse(null))
        .withNewResources()
        .addToRequests("storage", new Quantity(volume.size()))
        .endResources()
        .endSpec()
        .build();
  }

  /**
   * The distroless images' nonroot user; fsGroup makes the volume writable for it, and OnRootMismatch avoids a
   * recursive chown of a large data volume on every start.
   */
  static PodSecurityContext podSecurityContext() {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(RUN_AS)
        .withRunAsGroup(RUN_AS)
        .withFsGroup(RUN_AS)
        .withFsGroupChangePolicy("OnRootMismatch")
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }

  /**
   * Soft spreading of the pods with these labels across nodes: losing one node should cost at most one member, yet
   * small clusters still schedule.
   */
  static Affinity spreadOverNodes(Map<String, String> labels) {
    return new AffinityBuilder()
        .withNewPodAntiAffinity()
        .addNewPreferredDuringSchedulingIgnoredDuringExecution()
        .withWeight(100)
        .withNewPodAffinityTerm()
        .withNewLabelSelector()
        .withMatchLabels(labels)
        .endLabelSelector()
        .withTopologyKey(HOSTNAME_TOPOLOGY_KEY)
        .endPodAffinityTerm()
        .endPreferredDuringSchedulingIgnoredDuringExecution()
        .endPodAntiAffinity()
        .build();
  }
}
