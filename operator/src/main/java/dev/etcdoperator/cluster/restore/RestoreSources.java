package dev.etcdoperator.cluster.restore;

import dev.etcdoperator.access.ObjectStoreAccess;
import dev.etcdoperator.api.v1alpha1.EtcdBackup;
import dev.etcdoperator.api.v1alpha1.EtcdBackupConditions;
import dev.etcdoperator.api.v1alpha1.EtcdBackupStatus;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.RestoreSpec;
import dev.etcdoperator.api.v1alpha1.S3Bucket;
import dev.etcdoperator.api.v1alpha1.S3SnapshotLocation;
import dev.etcdoperator.cluster.model.RestoreSource;
import dev.etcdoperator.objectstore.ObjectStore;
import dev.etcdoperator.objectstore.ObjectStoreException;
import dev.etcdoperator.objectstore.SnapshotMetadata;
import dev.etcdoperator.support.ConditionSet;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Resolves spec.bootstrap.restore to a snapshot object, and checks with a HEAD request that it exists before any
 * claim or pod is made for it. Every answer is one a user can act on.
 */
final class RestoreSources {
  /** The HEAD of the snapshot runs in the reconcile: an endpoint that never answers holds the thread this long. */
  static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(10);

  private final KubernetesClient client;

  RestoreSources(KubernetesClient client) {
    this.client = client;
  }

  RestoreSource resolve(EtcdCluster cluster) {
    RestoreSpec restore = cluster.getSpec().getBootstrap().getRestore();
    String namespace = cluster.getMetadata().getNamespace();
    if (restore.getBackupName() != null) {
      return fromBackup(namespace, restore.getBackupName());
    }
    S3SnapshotLocation s3 = restore.getS3();
    return locate(namespace, s3, s3.getKey(), Optional.ofNullable(s3.getSha256()));
  }

  private RestoreSource fromBackup(String namespace, String name) {
    EtcdBackup backup = client.resources(EtcdBackup.class).inNamespace(namespace).withName(name).get();
    if (backup == null) {
      return new RestoreSource.Unusable("EtcdBackup " + name + " does not exist in namespace " + namespace);
    }
    EtcdBackupStatus status = backup.getStatus();
    List<Condition> conditions = status == null ? List.of() : status.getConditions();
    if (ConditionSet.isTrue(conditions, EtcdBackupConditions.FAILED)) {
      return new RestoreSource.Unusable("EtcdBackup " + name + " failed: " + ConditionSet.find(conditions,
          EtcdBackupConditions.FAILED).map(c -> c.getMessage()).orElse("no message"));
    }
    if (!ConditionSet.isTrue(conditions, EtcdBackupConditions.COMPLETE) || status.getLocation() == null) {
      return new RestoreSource.Pending("waiting for EtcdBackup " + name + " to complete");
    }
    S3Bucket bucket = backup.getSpec().getDestination().getS3();
    String prefix = "s3://" + bucket.getBucket() + "/";
    if (!status.getLocation().startsWith(prefix)) {
      return new RestoreSource.Unusable("EtcdBackup " + name + " reports location " + status.getLocation()
          + ", which is not in its bucket " + bucket.getBucket());
    }
    return locate(namespace, bucket, status.getLocation().substring(prefix.length()),
        Optional.ofNullable(status.getSha256()));
  }

  /** HEAD of the object; the SHA-256 named in the spec or backup status wins over one in the object's metadata. */
  private RestoreSource locate(String namespace, S3Bucket bucket, String key, Optional<String> sha256) {
    String location = "s3://" + bucket.getBucket() + "/" + key;
    ObjectStore.Settings settings;
    try {
      settings = ObjectStoreAccess.settings(bucket, name -> client.secrets().inNamespace(namespace).withName(name)
          .get());
    } catch (ObjectStoreAccess.MissingCredentials e) {
      return new RestoreSource.Pending(e.getMessage());
    } catch (IllegalArgumentException e) {
      return new RestoreSource.Unusable(e.getMessage());
    }
    Optional<ObjectStore.StoredObject> object;
    try (ObjectStore store = ObjectStore.connect(settings, LOOKUP_TIMEOUT)) {
      object = store.head(bucket.getBucket(), key);
    } catch (ObjectStoreException e) {
      return e.retryable() ? new RestoreSource.Pending(e.getMessage()) : new RestoreSource.Unusable(e.getMessage());
    }
    if (object.isEmpty()) {
      return new RestoreSource.Unusable("snapshot " + location + " does not exist");
    }
    // Objects written by operators before 2026-12-05 carry their SHA-256 in their metadata.
    Optional<String> recorded = Optional.ofNullable(object.get().metadata().get(SnapshotMetadata.SHA256));
    return new RestoreSource.Located(bucket, key, sha256.or(() -> recorded), object.get().size());
  }
}
