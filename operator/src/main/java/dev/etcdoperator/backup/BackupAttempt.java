package dev.etcdoperator.backup;

import dev.etcdoperator.etcd.SnapshotIntegrity;
import dev.etcdoperator.objectstore.ObjectStore;
import dev.etcdoperator.objectstore.ObjectStoreException;
import dev.etcdoperator.access.ObjectStoreAccess;
import dev.etcdoperator.access.MemberEndpoints;
import dev.etcdoperator.access.OperatorClientFiles;
import dev.etcdoperator.access.OperatorClientSecret;
import dev.etcdoperator.api.v1alpha1.EtcdBackup;
import dev.etcdoperator.api.v1alpha1.EtcdBackupStatus;
import dev.etcdoperator.api.v1alpha1.EtcdBackupConditions.Reason;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.S3Destination;
import dev.etcdoperator.etcd.EtcdClient;
import dev.etcdoperator.etcd.EtcdClientException;
import dev.etcdoperator.etcd.EtcdConnection;
import dev.etcdoperator.etcd.SnapshotSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt at a backup: pick a member, connect to it alone with the operator's client certificate, and stream
 * its snapshot to the bucket. Every failure becomes a {@link BackupFailure} saying what to fix.
 */
final class BackupAttempt {
  private static final Logger LOG = LoggerFactory.getLogger(BackupAttempt.class);

  private final KubernetesClient client;
  private final MemberEndpoints endpoints;
  private final OperatorClientFiles clientFiles;
  private final SnapshotStreaming streaming;
  private final Duration requestTimeout;
  private final Clock clock;

  BackupAttempt(KubernetesClient client, MemberEndpoints endpoints, OperatorClientFiles clientFiles,
      SnapshotStreaming streaming, Duration requestTimeout, Clock clock) {
    this.client = client;
    this.endpoints = endpoints;
    this.clientFiles = clientFiles;
    this.streaming = streaming;
    this.requestTimeout = requestTimeout;
    this.clock = clock;
  }

  /** A snapshot in the bucket, and the member it came from. */
  record Result(SnapshotStreaming.StoredSnapshot snapshot, String member) {}

  Result run(EtcdBackup backup, EtcdCluster cluster) {
    String namespace = backup.getMetadata().getNamespace();
    String clusterName = cluster.getMetadata().getName();
    S3Destination s3 = backup.getSpec().getDestination().getS3();
    ObjectStore.Settings settings = storeSettings(s3, name -> secret(namespace, name));
    String member = SnapshotMember.choose(Optional.ofNullable(cluster.getStatus())
        .map(s -> s.getMembers()).orElse(List.of()))
        .orElseThrow(() -> new BackupFailure(Reason.ETCD_UNAVAILABLE, "cluster " + clusterName
            + " has no healthy voting member to take a snapshot from", true));
    URI endpoint = endpointOf(cluster, member);
    try (EtcdClient etcd = EtcdClient.connect(connection(cluster, endpoint));
        ObjectStore store = ObjectStore.connect(settings)) {
      String name = backup.getMetadata().getName();
      // One key per backup, from its first attempt's start: a retry after a crash replaces what the crashed attempt
      // may have completed instead of leaving a second, never reported snapshot in the bucket.
      String key = keyOf(backup, clusterName, clock);
      int aborted = store.abortIncompleteUploads(s3.getBucket(), SnapshotKey.folder(s3.getPrefix(), namespace,
          clusterName), key::equals);
      if (aborted > 0) {
        LOG.info("{}/{}: aborted {} upload(s) an earlier attempt left unfinished", namespace, name, aborted);
      }
      SnapshotSource source = etcd.snapshotSource(endpoint);
      refuseAnotherCluster(cluster, member, source);
      SnapshotStreaming.Target target = new SnapshotStreaming.Target(s3.getBucket(), key,
          ObjectStoreAccess.encryption(s3));
      return new Result(streaming.stream(etcd, source, namespace + "/" + clusterName, store, target), member);
    } catch (SnapshotIntegrity.SnapshotCorrupt e) {
      throw new BackupFailure(Reason.SNAPSHOT_CORRUPT, "snapshot of member " + member + ": " + e.getMessage(), true);
    } catch (ObjectStoreException e) {
      throw new BackupFailure(Reason.OBJECT_STORE_ERROR, e.getMessage(), e.retryable());
    } catch (EtcdClientException e) {
      throw new BackupFailure(Reason.ETCD_UNAVAILABLE, "snapshot of member " + member + " failed: "
          + e.getMessage(), true);
    }
  }

  /** The object every attempt of {@code backup} writes: named after the time its first attempt started. */
  static String keyOf(EtcdBackup backup, String clusterName, Clock clock) {
    Instant started = Optional.ofNullable(backup.getStatus()).map(EtcdBackupStatus::getStartTime).map(Instant::parse)
        .orElseGet(clock::instant);
    return SnapshotKey.of(backup.getSpec().getDestination().getS3().getPrefix(), backup.getMetadata().getNamespace(),
        clusterName, started, backup.getMetadata().getName());
  }

  /**
   * A member that answers for another etcd cluster (its data wiped and bootstrapped anew, an address now served by
   * someone else's etcd) must not be backed up as this one: a restore of it would bring back the wrong data.
   */
  static void refuseAnotherCluster(EtcdCluster cluster, String member, SnapshotSource source) {
    String formed = cluster.getStatus() == null ? null : cluster.getStatus().getClusterID();
    if (formed != null && !formed.equals(source.clusterIdHex())) {
      throw new BackupFailure(Reason.CLUSTER_ID_MISMATCH, "member " + member + " answers as etcd cluster "
          + source.clusterIdHex() + ", but " + cluster.getMetadata().getName() + " formed as " + formed
          + " (status.clusterID): no snapshot was taken", false);
    }
  }

  /** The bucket's settings, or why they cannot be had, as a failure of the backup. */
  static ObjectStore.Settings storeSettings(S3Destination s3, Function<String, Secret> secrets) {
    try {
      return ObjectStoreAccess.settings(s3, secrets);
    } catch (ObjectStoreAccess.MissingCredentials e) {
      throw new BackupFailure(Reason.CREDENTIALS_NOT_FOUND, e.getMessage(), true);
    } catch (IllegalArgumentException e) {
      throw new BackupFailure(Reason.INVALID_SPEC, e.getMessage(), false);
    }
  }

  private URI endpointOf(EtcdCluster cluster, String member) {
    Pod pod = client.pods().inNamespace(cluster.getMetadata().getNamespace()).withName(member).get();
    if (pod == null || pod.getStatus() == null || !"Running".equals(pod.getStatus().getPhase())) {
      throw new BackupFailure(Reason.ETCD_UNAVAILABLE, "the pod of member " + member + " is not running", true);
    }
    try {
      return endpoints.clientUrls(cluster, List.of(pod)).get(member);
    } catch (KubernetesClientException e) {
      throw new BackupFailure(Reason.ETCD_UNAVAILABLE, "cannot reach member " + member + ": " + e.getMessage(),
          true);
    }
  }

  private EtcdConnection connection(EtcdCluster cluster, URI endpoint) {
    Optional<String> secretName = OperatorClientSecret.nameFor(cluster);
    if (secretName.isEmpty()) {
      return EtcdConnection.plain(List.of(endpoint), requestTimeout);
    }
    Secret secret = secret(cluster.getMetadata().getNamespace(), secretName.get());
    if (secret == null) {
      throw new BackupFailure(Reason.ETCD_UNAVAILABLE, "the operator's client certificate Secret "
          + secretName.get() + " does not exist (yet)", true);
    }
    return EtcdConnection.withTls(List.of(endpoint), requestTimeout, clientFiles.write(
        cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(), OperatorClientSecret.pems(secret)));
  }

  private Secret secret(String namespace, String name) {
    return client.secrets().inNamespace(namespace).withName(name).get();
  }
}
