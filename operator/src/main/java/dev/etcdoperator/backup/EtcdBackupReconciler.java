package dev.etcdoperator.backup;

import dev.etcdoperator.objectstore.ObjectStore;
import dev.etcdoperator.objectstore.ObjectStoreException;
import dev.etcdoperator.access.MemberEndpoints;
import dev.etcdoperator.access.OperatorClientFiles;
import dev.etcdoperator.api.v1alpha1.EtcdBackup;
import dev.etcdoperator.api.v1alpha1.EtcdBackupConditions;
import dev.etcdoperator.api.v1alpha1.EtcdBackupConditions.Reason;
import dev.etcdoperator.api.v1alpha1.EtcdBackupSpec;
import dev.etcdoperator.api.v1alpha1.EtcdBackupStatus;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.support.EventRecorder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the one snapshot an EtcdBackup asks for, and deletes it with the object when its deletion policy says so.
 * One backup per cluster runs at a time; an attempt that fails in a way that may pass is retried a few times.
 */
@ControllerConfiguration(name = EtcdBackupReconciler.NAME)
public final class EtcdBackupReconciler implements Reconciler<EtcdBackup>, Cleaner<EtcdBackup> {
  public static final String NAME = "etcdbackup";
  static final String BACKUP_COMPLETED = "BackupCompleted";
  static final String BACKUP_ATTEMPT_FAILED = "BackupAttemptFailed";
  static final String BACKUP_FAILED = "BackupFailed";
  static final String SNAPSHOT_DELETED = "SnapshotDeleted";
  static final String SNAPSHOT_NOT_DELETED = "SnapshotNotDeleted";
  static final String SNAPSHOT_KEPT = "SnapshotKept";
  static final Duration BUSY_POLL = Duration.ofSeconds(5);
  private static final Logger LOG = LoggerFactory.getLogger(EtcdBackupReconciler.class);

  /**
   * @param partSize bytes of one upload part; a running backup holds MultipartUpload.MAX_PARTS_HELD of them (the
   *     parts being sent and the one filling)
   * @param snapshotDeadline how long one snapshot may take, end to end
   * @param maxConcurrent how many backups run at once, across all clusters; the others queue
   */
  public record Settings(int partSize, Duration snapshotDeadline, Duration etcdRequestTimeout,
      Path clientCertificateDir, int maxConcurrent) {}

  private final KubernetesClient client;
  private final BackupAttempt attempt;
  private final EventRecorder events;
  private final Clock clock;
  private final BackupRunner runner;
  /** Clusters with a backup running in this operator ({@code namespace/name}). */
  private final Set<String> running = ConcurrentHashMap.newKeySet();

  /** @param eventListener hears the Events recorded (the metrics count backups by them) */
  public EtcdBackupReconciler(KubernetesClient client, MemberEndpoints endpoints, Settings settings, Clock clock,
      EventRecorder.Listener eventListener) {
    this.client = client;
    this.clock = clock;
    this.events = new EventRecorder(client, clock, eventListener);
    this.runner = new BackupRunner(settings.maxConcurrent());
    this.attempt = new BackupAttempt(client, endpoints, new OperatorClientFiles(settings.clientCertificateDir()),
        new SnapshotStreaming(settings.partSize(), settings.snapshotDeadline()), settings.etcdRequestTimeout(),
        clock);
  }

  @Override
  public UpdateControl<EtcdBackup> reconcile(EtcdBackup backup, Context<EtcdBackup> context) {
    if (BackupProgress.finished(backup.getStatus())) {
      return UpdateControl.noUpdate();
    }
    String clusterName = backup.getSpec().getClusterRef() == null ? null : backup.getSpec().getClusterRef().getName();
    if (clusterName == null || backup.getSpec().getDestination() == null
        || backup.getSpec().getDestination().getS3() == null) {
      return fail(backup, new BackupFailure(Reason.INVALID_SPEC, "spec.clusterRef.name and spec.destination.s3 "
          + "are required", false));
    }
    // The snapshot itself runs on the runner's threads: the reconcile starts it and collects how it ended.
    String key = backup.getMetadata().getNamespace() + "/" + backup.getMetadata().getName();
    Optional<BackupRunner.Outcome> outcome = runner.collect(key);
    if (outcome.isPresent()) {
      return switch (outcome.get()) {
        case BackupRunner.Outcome.Completed done -> completed(backup, done.result());
        case BackupRunner.Outcome.Failed failed -> fail(backup, failed.failure());
      };
    }
    if (runner.running(key)) {
      return UpdateControl.<EtcdBackup>noUpdate().rescheduleAfter(BUSY_POLL);
    }
    String lock = backup.getMetadata().getNamespace() + "/" + clusterName;
    if (!running.add(lock)) {
      new BackupProgress(backup, clock).waitingChange(Reason.WAITING_FOR_OTHER_BACKUP,
          "another backup of cluster " + clusterName + " is running").ifPresent(s -> writeStatus(backup, s));
      return UpdateControl.<EtcdBackup>noUpdate().rescheduleAfter(BUSY_POLL);
    }
    backup.setStatus(writeStatus(backup, new BackupProgress(backup, clock).attemptStarted()));
    runner.start(key, () -> {
      try {
        EtcdCluster cluster = client.resources(EtcdCluster.class).inNamespace(backup.getMetadata().getNamespace())
            .withName(clusterName).get();
        if (cluster == null) {
          throw new BackupFailure(Reason.CLUSTER_NOT_FOUND, "EtcdCluster " + clusterName + " does not exist",
              true);
        }
        return attempt.run(backup, cluster);
      } finally {
        running.remove(lock);
      }
    });
    return UpdateControl.<EtcdBackup>noUpdate().rescheduleAfter(BUSY_POLL);
  }

  private UpdateControl<EtcdBackup> completed(EtcdBackup backup, BackupAttempt.Result result) {
    EtcdBackupStatus done = writeStatus(backup, new BackupProgress(backup, clock).completed(result));
    events.record(backup, EventRecorder.Type.Normal, BACKUP_COMPLETED, done.getConditions().stream()
        .filter(c -> c.getType().equals(EtcdBackupConditions.COMPLETE)).findFirst().orElseThrow().getMessage());
    LOG.info("{}/{}: backup complete at {}", backup.getMetadata().getNamespace(), backup.getMetadata().getName(),
        done.getLocation());
    return UpdateControl.noUpdate();
  }

  private UpdateControl<EtcdBackup> fail(EtcdBackup backup, BackupFailure failure) {
    BackupProgress progress = new BackupProgress(backup, clock);
    boolean retry = progress.willRetry(failure);
    writeStatus(backup, progress.failed(failure));
    String what = backup.getMetadata().getNamespace() + "/" + backup.getMetadata().getName();
    LOG.warn("{}: backup attempt failed ({}): {}", what, failure.reason(), failure.getMessage());
    events.record(backup, EventRecorder.Type.Warning, retry ? BACKUP_ATTEMPT_FAILED : BACKUP_FAILED,
        failure.getMessage());
    return retry
        ? UpdateControl.<EtcdBackup>noUpdate().rescheduleAfter(
            BackupProgress.retryDelay(BackupProgress.attempts(backup.getStatus())))
        : UpdateControl.noUpdate();
  }

  /**
   * The snapshot goes with the object when the operator deletes it on purpose (retention) or under deletionPolicy
   * Delete, but never with a namespace being deleted: backups exist for exactly that disaster. A snapshot that cannot
   * be deleted for good (no credentials any more, access denied) is reported and left; the object goes anyway, so
   * that nothing (a namespace, a user) waits for it forever.
   */
  @Override
  public DeleteControl cleanup(EtcdBackup backup, Context<EtcdBackup> context) {
    EtcdBackupStatus status = backup.getStatus();
    if (status == null || status.getLocation() == null || !snapshotGoesWithObject(backup)) {
      return DeleteControl.defaultDelete();
    }
    String location = status.getLocation();
    String key = location.substring(("s3://" + backup.getSpec().getDestination().getS3().getBucket() + "/").length());
    try {
      ObjectStore.Settings settings = BackupAttempt.storeSettings(backup.getSpec().getDestination().getS3(),
          name -> client.secrets().inNamespace(backup.getMetadata().getNamespace()).withName(name).get());
      try (ObjectStore store = ObjectStore.connect(settings)) {
        store.delete(backup.getSpec().getDestination().getS3().getBucket(), key);
      }
      events.record(backup, EventRecorder.Type.Normal, SNAPSHOT_DELETED, "deleted " + location);
      LOG.info("{}/{}: deleted {} with the EtcdBackup (deletionPolicy Delete)", backup.getMetadata().getNamespace(),
          backup.getMetadata().getName(), location);
      return DeleteControl.defaultDelete();
    } catch (ObjectStoreException | BackupFailure e) {
      // Missing credentials will not come back once their Secret is gone with the namespace or the user's cleanup.
      boolean retryable = e instanceof ObjectStoreException s ? s.retryable()
          : ((BackupFailure) e).retryable() && !((BackupFailure) e).reason().equals(Reason.CREDENTIALS_NOT_FOUND);
      events.record(backup, EventRecorder.Type.Warning, SNAPSHOT_NOT_DELETED, "could not delete " + location
          + ": " + e.getMessage() + (retryable ? " (will retry)" : "; delete it by hand"));
      return retryable ? DeleteControl.noFinalizerRemoval().rescheduleAfter(BackupProgress.LONGEST_RETRY)
          : DeleteControl.defaultDelete();
    }
  }

  private boolean snapshotGoesWithObject(EtcdBackup backup) {
    boolean deliberate = Optional.ofNullable(backup.getMetadata().getAnnotations())
        .map(a -> a.containsKey(EtcdBackup.DELETE_SNAPSHOT_ANNOTATION)).orElse(false);
    if (deliberate) {
      return true;
    }
    if (backup.getSpec().getDeletionPolicy() != EtcdBackupSpec.DeletionPolicy.Delete) {
      return false;
    }
    Namespace namespace = client.namespaces().withName(backup.getMetadata().getNamespace()).get();
    boolean namespaceGoing = namespace != null && namespace.getMetadata().getDeletionTimestamp() != null;
    if (namespaceGoing) {
      events.record(backup, EventRecorder.Type.Normal, SNAPSHOT_KEPT, "kept " + backup.getStatus().getLocation()
          + ": the namespace is being deleted, and a snapshot is never deleted with its namespace");
    }
    return !namespaceGoing;
  }

  /** Server-side apply of the whole status with this reconciler's field manager; returns what was written. */
  private EtcdBackupStatus writeStatus(EtcdBackup backup, EtcdBackupStatus status) {
    EtcdBackup patch = new EtcdBackup();
    patch.getMetadata().setName(backup.getMetadata().getName());
    patch.getMetadata().setNamespace(backup.getMetadata().getNamespace());
    patch.setStatus(status);
    client.resource(patch).subresource("status").patch(new PatchContext.Builder()
        .withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager(NAME).withForce(true).build(), patch);
    return status;
  }
}
