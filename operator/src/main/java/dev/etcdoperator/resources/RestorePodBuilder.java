package dev.etcdoperator.resources;

import dev.etcdoperator.api.v1alpha1.S3Bucket;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A one-shot pod that restores a snapshot onto one initial member's volume claim before the StatefulSet exists:
 * the operator's image fetches the snapshot and checks its SHA-256, the etcd image's own restore tool (of the version
 * the member will run; no shell) writes a new data directory beside it, and the operator's image moves that into
 * place. Every step works in a staging directory on the member's volume, so a pod run again starts over cleanly.
 */
public final class RestorePodBuilder {
  public static final String COMPONENT = "restore";
  /** Staging directory on the member volume; the snapshot and the restored directory live here until committed. */
  public static final String STAGING_DIR = EtcdFlags.DATA_MOUNT_PATH + "/restore";
  public static final String SNAPSHOT_FILE = STAGING_DIR + "/snapshot.db";
  public static final String RESTORED_DIR = STAGING_DIR + "/data";
  /** Where the operator image keeps its jar (operator/Dockerfile). */
  public static final List<String> OPERATOR_COMMAND = List.of("java", "-jar", "/app/etcd-operator.jar");
  static final String TMP_VOLUME = "tmp";
  static final String AWS_ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
  static final String AWS_SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";
  static final String AWS_SESSION_TOKEN = "AWS_SESSION_TOKEN";

  private RestorePodBuilder() {}

  /**
   * @param fetchArgs arguments of the operator image's fetch step (after {@code java -jar etcd-operator.jar})
   * @param commitArgs arguments of its commit step
   * @param credentialsSecret the Secret with the S3 keys; without it the default AWS credential chain applies
   * @param serviceAccount the account the pod runs as (an AWS identity for that chain)
   * @param bootstrap the cluster's bootstrap values, which the restored member list and token must equal
   */
  public record Inputs(int ordinal, String operatorImage, List<String> fetchArgs, List<String> commitArgs,
      Optional<String> credentialsSecret, Optional<String> serviceAccount, BootstrapConfig bootstrap) {
    public Inputs {
      Objects.requireNonNull(operatorImage, "operatorImage");
      fetchArgs = List.copyOf(fetchArgs);
      commitArgs = List.copyOf(commitArgs);
      Objects.requireNonNull(credentialsSecret, "credentialsSecret");
      Objects.requireNonNull(serviceAccount, "serviceAccount");
      Objects.requireNonNull(bootstrap, "bootstrap");
    }
  }

  public static String podName(ClusterNames names, int ordinal) {
    return names.cluster() + "-restore-" + ordinal;
  }

  public static Map<String, String> labels(ClusterBlueprint blueprint) {
    Map<String, String> labels = new LinkedHashMap<>(blueprint.labels().forOwnedObjects());
    labels.put(ClusterLabels.COMPONENT, COMPONENT);
    return labels;
  }

  public static Pod build(ClusterBlueprint blueprint, Inputs in) {
    ClusterNames names = blueprint.names();
    PodSettings pod = blueprint.pod();
    return new PodBuilder()
        .withMetadata(OwnedMetadata.of(blueprint, podName(names, in.ordinal())))
        .editMetadata().withLabels(labels(blueprint)).endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withInitContainers(fetch(in), restore(blueprint, in))
        .withContainers(commit(in))
        .withVolumes(
            new VolumeBuilder().withName(MemberStatefulSetBuilder.DATA_VOLUME).withNewPersistentVolumeClaim()
                .withClaimName(MemberClaimBuilder.claimName(names, in.ordinal())).endPersistentVolumeClaim().build(),
            new VolumeBuilder().withName(TMP_VOLUME).withNewEmptyDir().endEmptyDir().build())
        .withEnableServiceLinks(false)
        // The account only lends its cloud identity (the IRSA webhook projects its own token); the pod never talks
        // to the Kubernetes API, so no API token is mounted.
        .withServiceAccountName(in.serviceAccount().orElse(null))
        .withAutomountServiceAccountToken(false)
        .withSecurityContext(MemberStatefulSetBuilder.podSecurityContext())
        // The claim is bound where this pod runs (local volumes, WaitForFirstConsumer), so the member later runs
        // there too: place restore pods as the members would be placed, spread apart from each other.
        .withAffinity(pod.affinity().orElseGet(() -> MemberStatefulSetBuilder.spreadOverNodes(labels(blueprint))))
        .withTolerations(pod.tolerations().isEmpty() ? null : pod.tolerations())
        .withNodeSelector(pod.nodeSelector().isEmpty() ? null : pod.nodeSelector())
        .withTopologySpreadConstraints(spreadLikeMembers(pod, labels(blueprint)))
        .withPriorityClassName(pod.priorityClassName().orElse(null))
        .endSpec()
        .build();
  }

  /**
   * The members' topology spread constraints, counting restore pods instead of members: zonal volumes bind where a
   * restore pod runs, so restore pods bunched in one zone would pin their members there against the constraints.
   */
  private static List<TopologySpreadConstraint> spreadLikeMembers(PodSettings pod, Map<String, String> restorePods) {
    List<TopologySpreadConstraint> spread = pod.topologySpreadConstraints().stream()
        .map(c -> new TopologySpreadConstraintBuilder(c).withNewLabelSelector().withMatchLabels(restorePods)
            .endLabelSelector().withMatchLabelKeys(List.of()).build()).toList();
    return spread.isEmpty() ? null : spread;
  }

  private static Container fetch(Inputs in) {
    return step("fetch", in.operatorImage(), concat(OPERATOR_COMMAND, in.fetchArgs()), credentialsEnv(in), true);
  }

  /** etcdutl from 3.5 on (etcdctl's restore is deprecated there and gone in 3.6), etcdctl before. */
  private static Container restore(ClusterBlueprint blueprint, Inputs in) {
    ClusterNames names = blueprint.names();
    String tool = blueprint.version().atLeast(3, 5, 0) ? "/usr/local/bin/etcdutl" : "/usr/local/bin/etcdctl";
    List<String> command = List.of(tool, "snapshot", "restore", SNAPSHOT_FILE,
        "--name=" + names.podName(in.ordinal()),
        "--data-dir=" + RESTORED_DIR,
        "--initial-cluster=" + in.bootstrap().initialCluster(),
        "--initial-cluster-token=" + in.bootstrap().token(),
        "--initial-advertise-peer-urls=" + names.peerUrl(in.ordinal(), blueprint.scheme()));
    return step("restore", blueprint.image(), command, List.of(), false);
  }

  private static Container commit(Inputs in) {
    return step("commit", in.operatorImage(), concat(OPERATOR_COMMAND, in.commitArgs()), List.of(), true);
  }

  private static Container step(String name, String image, List<String> command, List<EnvVar> env, boolean jvm) {
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(new VolumeMountBuilder().withName(MemberStatefulSetBuilder.DATA_VOLUME)
        .withMountPath(EtcdFlags.DATA_MOUNT_PATH).build());
    if (jvm) {
      // The root file system is read-only; the JVM wants a writable /tmp.
      mounts.add(new VolumeMountBuilder().withName(TMP_VOLUME).withMountPath("/tmp").build());
    }
    return new ContainerBuilder()
        .withName(name)
        .withImage(image)
        .withImagePullPolicy("IfNotPresent")
        .withCommand(command)
        .withEnv(env.isEmpty() ? null : env)
        .withVolumeMounts(mounts)
        .withResources(new ResourceRequirementsBuilder()
            .addToRequests("cpu", new Quantity("100m"))
            .addToRequests("memory", new Quantity(jvm ? "192Mi" : "128Mi"))
            .build())
        .withSecurityContext(MemberContainerBuilder.securityContext())
        // Why a step failed (a corrupt snapshot, a missing object) is its last log line: it becomes the
        // termination message the operator reports.
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .build();
  }

  private static List<EnvVar> credentialsEnv(Inputs in) {
    if (in.credentialsSecret().isEmpty()) {
      return List.of();
    }
    String secret = in.credentialsSecret().get();
    return List.of(secretEnv(AWS_ACCESS_KEY_ID, secret, S3Bucket.ACCESS_KEY_ID, false),
        secretEnv(AWS_SECRET_ACCESS_KEY, secret, S3Bucket.SECRET_ACCESS_KEY, false),
        secretEnv(AWS_SESSION_TOKEN, secret, S3Bucket.SESSION_TOKEN, true));
  }

  private static EnvVar secretEnv(String name, String secret, String key, boolean optional) {
    return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef()
        .withName(secret).withKey(key).withOptional(optional).endSecretKeyRef().endValueFrom().build();
  }

  private static List<String> concat(List<String> first, List<String> second) {
    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    return List.copyOf(all);
  }
}
