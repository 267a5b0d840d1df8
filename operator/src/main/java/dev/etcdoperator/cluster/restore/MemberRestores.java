package dev.etcdoperator.cluster.restore;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.S3Bucket;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.cluster.model.RestoreSource;
import dev.etcdoperator.resources.BootstrapConfig;
import dev.etcdoperator.resources.ClusterBlueprint;
import dev.etcdoperator.resources.ClusterLabels;
import dev.etcdoperator.resources.EtcdFlags;
import dev.etcdoperator.resources.MemberClaimBuilder;
import dev.etcdoperator.resources.RestorePodBuilder;
import dev.etcdoperator.restore.RestoreCommand;
import dev.etcdoperator.support.EventRecorder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** spec.bootstrap.restore in the cluster: observes the restore pods, creates them with their claims, cleans up. */
public final class MemberRestores {
  static final String RESTORE_STARTED = "RestoreStarted";
  /** On the claims a restore writes into: the snapshot it restores, and the sign that a restore has begun. */
  public static final String RESTORED_FROM_ANNOTATION = EtcdCluster.GROUP + "/restored-from";
  private static final Logger LOG = LoggerFactory.getLogger(MemberRestores.class);

  private final KubernetesClient client;
  private final EventRecorder events;
  private final RestoreSources sources;
  private final String operatorImage;

  public MemberRestores(KubernetesClient client, EventRecorder events, String operatorImage) {
    this.client = client;
    this.events = events;
    this.sources = new RestoreSources(client);
    this.operatorImage = operatorImage;
  }

  public static boolean requested(EtcdCluster cluster) {
    return cluster.getSpec().getBootstrap() != null && cluster.getSpec().getBootstrap().getRestore() != null;
  }

  public static boolean isRestorePod(Pod pod) {
    return RestorePodBuilder.COMPONENT.equals(pod.getMetadata().getLabels().get(ClusterLabels.COMPONENT));
  }

  /**
   * A restore began (restore pods or the claims they write into exist) but spec.bootstrap.restore is gone: the
   * members must not start, as restored and empty members would form one cluster with two keyspaces.
   */
  public static Optional<String> abandoned(EtcdCluster cluster, List<Pod> restorePods,
      Collection<PersistentVolumeClaim> claims) {
    boolean begun = !restorePods.isEmpty() || claims.stream().anyMatch(c -> c.getMetadata().getAnnotations() != null
        && c.getMetadata().getAnnotations().containsKey(RESTORED_FROM_ANNOTATION));
    if (requested(cluster) || !begun) {
      return Optional.empty();
    }
    return Optional.of("spec.bootstrap.restore was removed while the restore is under way (restore pods or restored "
        + "volume claims exist): no member starts until it is put back as it was; to start empty instead, delete "
        + "the EtcdCluster and the claims data-" + cluster.getMetadata().getName() + "-*");
  }

  /** Each initial member's restore; the snapshot is looked up only while a member still has to start. */
  public RestoreFacts observe(EtcdCluster cluster, ClusterBlueprint blueprint, List<Pod> restorePods,
      int members) {
    Map<String, Pod> byName = restorePods.stream()
        .collect(Collectors.toMap(p -> p.getMetadata().getName(), Function.identity(), (a, b) -> a));
    Map<Integer, MemberRestore> states = new TreeMap<>();
    for (int ordinal = 0; ordinal < members; ordinal++) {
      states.put(ordinal, MemberRestore.of(Optional.ofNullable(
          byName.get(RestorePodBuilder.podName(blueprint.names(), ordinal)))));
    }
    boolean lookUp = states.containsValue(new MemberRestore.NotStarted());
    return new RestoreFacts(states, lookUp ? Optional.of(sources.resolve(cluster)) : Optional.empty());
  }

  /** The claim first (the pod mounts it), then the pod; what exists already is left as it is. */
  public void start(EtcdCluster cluster, ClusterBlueprint blueprint, BootstrapConfig bootstrap,
      ClusterStep.RestoreMembers step) {
    RestoreSource.Located source = step.source();
    Path dataDir = Path.of(EtcdFlags.DATA_DIR);
    RestoreCommand fetch = new RestoreCommand.Fetch(source.bucket().getBucket(), source.key(), source.sha256(),
        Optional.ofNullable(source.bucket().getRegion()).orElse(S3Bucket.DEFAULT_REGION),
        Optional.ofNullable(source.bucket().getEndpoint()), Boolean.TRUE.equals(source.bucket().getForcePathStyle()),
        Path.of(RestorePodBuilder.SNAPSHOT_FILE), dataDir);
    RestoreCommand commit = new RestoreCommand.Commit(Path.of(RestorePodBuilder.RESTORED_DIR), dataDir,
        Path.of(RestorePodBuilder.STAGING_DIR));
    Optional<String> secret = Optional.ofNullable(source.bucket().getCredentialsSecretRef()).map(r -> r.getName());
    for (int ordinal : step.ordinals()) {
      createUnlessExists(new PersistentVolumeClaimBuilder(MemberClaimBuilder.build(blueprint, ordinal))
          .editMetadata().addToAnnotations(RESTORED_FROM_ANNOTATION, source.location()).endMetadata().build());
      createUnlessExists(RestorePodBuilder.build(blueprint, new RestorePodBuilder.Inputs(ordinal, operatorImage,
          fetch.toArgs(), commit.toArgs(), secret,
          Optional.ofNullable(cluster.getSpec().getBootstrap().getRestore().getServiceAccountName()), bootstrap)));
    }
    events.record(cluster, EventRecorder.Type.Normal, RESTORE_STARTED, "restoring " + source.location()
        + " onto members " + step.ordinals());
    LOG.info("{}/{}: restoring {} onto members {}", cluster.getMetadata().getNamespace(),
        cluster.getMetadata().getName(), source.location(), step.ordinals());
  }

  /** The restore pods have done their work once the cluster has formed. */
  public void cleanUp(EtcdCluster cluster, List<Pod> restorePods) {
    for (Pod pod : restorePods) {
      if (pod.getMetadata().getDeletionTimestamp() == null) {
        client.pods().inNamespace(cluster.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
            .delete();
      }
    }
  }

  private void createUnlessExists(HasMetadata object) {
    try {
      client.resource(object).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }
}
