package dev.etcdoperator.cluster.backups;

import dev.etcdoperator.api.v1alpha1.BackupScheduleStatus;
import dev.etcdoperator.api.v1alpha1.EtcdBackup;
import dev.etcdoperator.api.v1alpha1.EtcdBackupConditions;
import dev.etcdoperator.api.v1alpha1.EtcdBackupSpec;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions;
import dev.etcdoperator.api.v1alpha1.EtcdClusterSpec;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.resources.ClusterBackupBuilder;
import dev.etcdoperator.schedule.CronSchedule;
import dev.etcdoperator.schedule.Retention;
import dev.etcdoperator.support.ConditionSet;
import dev.etcdoperator.support.EventRecorder;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a cluster's backup schedule (spec.backup): creates the EtcdBackup of a due scheduled time and deletes what
 * retention no longer keeps, snapshot included. Scheduled backups have deletionPolicy Retain: only retention, which
 * marks what it deletes ({@link EtcdBackup#DELETE_SNAPSHOT_ANNOTATION}), removes their snapshots, never a deletion
 * by anyone else (a namespace deleted with them, a user cleaning up objects). Scheduled
 * backups carry the cluster's labels but no owner reference: deleting a cluster keeps its backups.
 */
public final class BackupScheduler {
  static final String SCHEDULED_AT = EtcdCluster.GROUP + "/scheduled-at";
  static final String COMPONENT = "scheduled-backup";
  static final String BACKUP_SCHEDULED = "BackupScheduled";
  static final String BACKUP_EXPIRED = "BackupDeletedByRetention";
  /** A create or delete the API server refused is tried again after this long (or at the next run, if sooner). */
  static final Duration RETRY_REFUSED = Duration.ofMinutes(1);
  private static final Logger LOG = LoggerFactory.getLogger(BackupScheduler.class);

  private final KubernetesClient client;
  private final EventRecorder events;
  private final Clock clock;

  public BackupScheduler(KubernetesClient client, EventRecorder events, Clock clock) {
    this.client = client;
    this.events = events;
    this.clock = clock;
  }

  /** The schedule's status, and BackupReady once a scheduled backup has finished. */
  public void report(ScheduledBackups.Plan plan, EtcdCluster cluster, EtcdClusterStatus previous,
      EtcdClusterStatus status) {
    status.setBackup(plan.status());
    plan.readiness().ifPresent(r -> {
      List<Condition> conditions = new ArrayList<>(status.getConditions());
      conditions.addAll(new ConditionSet(previous == null ? null : previous.getConditions(),
          Optional.ofNullable(cluster.getMetadata().getGeneration()).orElse(0L), clock)
          .set(EtcdClusterConditions.BACKUP_READY, r.ready(), r.reason(), r.message()).build());
      status.setConditions(conditions);
    });
  }

  /** Empty when the cluster has no schedule. The spec was checked (SpecProblems): the schedule parses. */
  public Optional<ScheduledBackups.Plan> run(EtcdCluster cluster, List<EtcdBackup> backups) {
    if (cluster.getSpec().getBackup() == null) {
      return Optional.empty();
    }
    String name = cluster.getMetadata().getName();
    List<ScheduledBackups.Existing> existing = backups.stream()
        .filter(b -> b.getMetadata().getDeletionTimestamp() == null && b.getMetadata().getAnnotations() != null
            && b.getMetadata().getAnnotations().containsKey(SCHEDULED_AT))
        .map(BackupScheduler::existing).flatMap(Optional::stream).toList();
    Optional<BackupScheduleStatus> previous = Optional.ofNullable(cluster.getStatus()).map(s -> s.getBackup());
    CronSchedule schedule = CronSchedule.parse(cluster.getSpec().getBackup().getSchedule());
    Instant now = clock.instant();
    ScheduledBackups.Plan plan = ScheduledBackups.plan(name, cluster.getSpec().getBackup(), schedule, previous,
        existing, now);
    // What the API server refuses (a quota, an admission webhook) is reported and retried; the rest of the
    // cluster's reconcile goes on regardless.
    if (plan.create().isPresent()) {
      try {
        create(cluster, plan.create().get());
      } catch (KubernetesClientException e) {
        String message = "could not create scheduled backup " + plan.create().get().name() + ": " + message(e);
        warn(cluster, message);
        return Optional.of(ScheduledBackups.refused(name, cluster.getSpec().getBackup(), schedule, previous,
            existing, now, plan.create().get(), message, RETRY_REFUSED));
      }
    }
    Set<String> restoreSources = plan.delete().isEmpty() ? Set.of()
        : restoringFrom(cluster.getMetadata().getNamespace());
    for (String expired : plan.delete()) {
      if (restoreSources.contains(expired)) {
        LOG.info("{}/{}: retention keeps scheduled backup {} while a cluster restores from it",
            cluster.getMetadata().getNamespace(), name, expired);
        continue;
      }
      try {
        var backup = client.resources(EtcdBackup.class).inNamespace(cluster.getMetadata().getNamespace())
            .withName(expired);
        backup.edit(b -> {
          b.getMetadata().getAnnotations().put(EtcdBackup.DELETE_SNAPSHOT_ANNOTATION, "retention");
          return b;
        });
        backup.delete();
      } catch (KubernetesClientException e) {
        String message = "could not delete scheduled backup " + expired + " that retention no longer keeps: "
            + message(e);
        warn(cluster, message);
        return Optional.of(ScheduledBackups.failed(plan, message, RETRY_REFUSED));
      }
      events.record(cluster, EventRecorder.Type.Normal, BACKUP_EXPIRED, "deleted scheduled backup " + expired
          + " (and its snapshot): retention no longer keeps it");
    }
    return Optional.of(plan);
  }

  /**
   * The backups that clusters of the namespace name in spec.bootstrap.restore.backupName and have not formed from
   * yet: retention deleting one would leave that cluster nothing to restore.
   */
  private Set<String> restoringFrom(String namespace) {
    return client.resources(EtcdCluster.class).inNamespace(namespace).list().getItems().stream()
        .filter(c -> c.getStatus() == null || c.getStatus().getClusterID() == null)
        .map(c -> Optional.ofNullable(c.getSpec()).map(EtcdClusterSpec::getBootstrap).map(b -> b.getRestore())
            .map(r -> r.getBackupName()))
        .flatMap(Optional::stream).collect(Collectors.toUnmodifiableSet());
  }

  /** The Warning Event comes with BackupReady's change (StatusEvents). */
  private static void warn(EtcdCluster cluster, String message) {
    LOG.warn("{}/{}: {}", cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(), message);
  }

  private static String message(KubernetesClientException e) {
    return Optional.ofNullable(e.getStatus()).map(s -> s.getMessage()).filter(m -> !m.isBlank())
        .orElse(e.getMessage());
  }

  private void create(EtcdCluster cluster, ScheduledBackups.Created created) {
    EtcdBackup backup = ClusterBackupBuilder.build(cluster, created.name(), COMPONENT,
        EtcdBackupSpec.DeletionPolicy.Retain, Map.of(SCHEDULED_AT, created.scheduledAt().toString()));
    try {
      client.resource(backup).create();
      events.record(cluster, EventRecorder.Type.Normal, BACKUP_SCHEDULED, "created EtcdBackup " + created.name()
          + " for " + created.scheduledAt());
      LOG.info("{}/{}: created scheduled backup {}", cluster.getMetadata().getNamespace(),
          cluster.getMetadata().getName(), created.name());
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      // created before a restart of the operator: the name is the scheduled time's, so this is that one
    }
  }

  /** Empty for a backup whose scheduled time does not parse (not one of ours, or edited): it is not counted. */
  private static Optional<ScheduledBackups.Existing> existing(EtcdBackup backup) {
    Instant scheduledAt;
    try {
      scheduledAt = Instant.parse(backup.getMetadata().getAnnotations().get(SCHEDULED_AT));
    } catch (DateTimeParseException e) {
      LOG.warn("{}/{}: ignored: its {} annotation is not a time", backup.getMetadata().getNamespace(),
          backup.getMetadata().getName(), SCHEDULED_AT);
      return Optional.empty();
    }
    var status = Optional.ofNullable(backup.getStatus());
    var conditions = status.map(s -> s.getConditions()).orElse(List.of());
    Retention.Outcome outcome = ConditionSet.isTrue(conditions, EtcdBackupConditions.COMPLETE)
        ? Retention.Outcome.COMPLETE
        : ConditionSet.isTrue(conditions, EtcdBackupConditions.FAILED) ? Retention.Outcome.FAILED
            : Retention.Outcome.RUNNING;
    String detail = outcome == Retention.Outcome.FAILED
        ? ConditionSet.find(conditions, EtcdBackupConditions.FAILED).map(c -> c.getMessage()).orElse("")
        : status.map(s -> s.getLocation()).orElse("");
    return Optional.of(new ScheduledBackups.Existing(backup.getMetadata().getName(), scheduledAt, outcome,
        status.map(s -> s.getCompletionTime()).map(Instant::parse), detail));
  }
}
