package dev.etcdoperator.cluster.backups;

import dev.etcdoperator.api.v1alpha1.BackupScheduleSpec;
import dev.etcdoperator.api.v1alpha1.BackupScheduleStatus;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.schedule.CronSchedule;
import dev.etcdoperator.schedule.Retention;
import dev.etcdoperator.schedule.ScheduledRuns;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the backup schedule of a cluster asks for now: the EtcdBackup to create for a due scheduled time (none while
 * another scheduled backup of the cluster runs: it is created once that one finishes), the ones retention deletes,
 * the schedule's status and when to look again. Pure: the caller lists, creates and deletes.
 */
public final class ScheduledBackups {
  private ScheduledBackups() {}

  /**
   * A scheduled backup as found: its name, scheduled time, outcome, completion time, and what its status says
   * (the location of a complete one, the reason of a failed one).
   */
  record Existing(String name, Instant scheduledAt, Retention.Outcome outcome, Optional<Instant> completedAt,
      String detail) {}

  /** The BackupReady condition: how the newest finished scheduled backup ended. */
  record Readiness(boolean ready, String reason, String message) {}

  /**
   * @param create the name and scheduled time of the EtcdBackup to create now
   * @param wakeUp how long until the next scheduled time
   */
  public record Plan(Optional<Created> create, List<String> delete, BackupScheduleStatus status, Duration wakeUp,
      Optional<Readiness> readiness) {}

  /** An EtcdBackup to create for a scheduled time. */
  record Created(String name, Instant scheduledAt) {}

  /**
   * @param previous the schedule's status as last written; empty the first time the schedule is seen, which starts
   *     it from now (no backup for times before the schedule existed)
   */
  static Plan plan(String cluster, BackupScheduleSpec spec, CronSchedule schedule,
      Optional<BackupScheduleStatus> previous, List<Existing> existing, Instant now) {
    return plan(cluster, spec, schedule, previous, existing, now, Optional.empty());
  }

  /**
   * The plan once the API server refused to create the EtcdBackup {@code refused} (a quota, an admission webhook):
   * nothing new counts as scheduled and the refused time stays the next one, so that it is still due at the retry
   * (after {@code retry}, or sooner at the next run); BackupReady says why.
   */
  static Plan refused(String cluster, BackupScheduleSpec spec, CronSchedule schedule,
      Optional<BackupScheduleStatus> previous, List<Existing> existing, Instant now, Created refused, String message,
      Duration retry) {
    return failed(plan(cluster, spec, schedule, previous, existing, now, Optional.of(refused)), message, retry);
  }

  /** {@code plan} with nothing left to do and BackupReady saying why; looked at again after {@code retry} at most. */
  static Plan failed(Plan plan, String message, Duration retry) {
    Duration wakeUp = plan.wakeUp().compareTo(retry) < 0 ? plan.wakeUp() : retry;
    return new Plan(Optional.empty(), List.of(), plan.status(), wakeUp,
        Optional.of(new Readiness(false, Reason.SCHEDULE_FAILED, message)));
  }

  private static Plan plan(String cluster, BackupScheduleSpec spec, CronSchedule schedule,
      Optional<BackupScheduleStatus> previous, List<Existing> existing, Instant now, Optional<Created> refused) {
    // The backups themselves are the record of what was scheduled: a status read from a cache a moment behind, or
    // lost, must not make a scheduled time due again.
    Optional<Existing> newestExisting = existing.stream().max(Comparator.comparing(Existing::scheduledAt));
    Optional<Instant> lastScheduled = Stream.concat(
        previous.map(BackupScheduleStatus::getLastScheduleTime).map(Instant::parse).stream(),
        newestExisting.map(Existing::scheduledAt).stream()).max(Comparator.naturalOrder());
    Optional<Instant> since = lastScheduled.or(() -> previous.map(BackupScheduleStatus::getNextScheduleTime)
        .map(Instant::parse).map(next -> next.minusSeconds(1)));
    boolean running = existing.stream().anyMatch(b -> b.outcome() == Retention.Outcome.RUNNING);
    Optional<Created> create = since.filter(s -> !Boolean.TRUE.equals(spec.getSuspend()) && !running)
        .flatMap(s -> ScheduledRuns.due(schedule, s, now))
        .map(slot -> new Created(ScheduledRuns.backupName(cluster, slot), slot))
        .filter(c -> existing.stream().noneMatch(b -> b.name().equals(c.name())))
        .filter(c -> refused.isEmpty());

    BackupScheduleStatus status = new BackupScheduleStatus();
    Optional<Instant> next = refused.map(Created::scheduledAt).or(() -> schedule.nextAfter(now));
    next.ifPresent(n -> status.setNextScheduleTime(format(n)));
    Optional<Instant> newestScheduled = create.map(Created::scheduledAt).or(() -> lastScheduled);
    newestScheduled.ifPresent(t -> status.setLastScheduleTime(format(t)));
    create.map(Created::name).or(() -> newestExisting.filter(b -> lastScheduled.equals(Optional.of(b.scheduledAt())))
        .map(Existing::name)).or(() -> previous.map(BackupScheduleStatus::getLastBackup))
        .ifPresent(status::setLastBackup);
    existing.stream().filter(b -> b.outcome() == Retention.Outcome.COMPLETE)
        .max(Comparator.comparing(Existing::scheduledAt)).ifPresent(b -> {
          status.setLastSuccessfulBackup(b.name());
          b.completedAt().ifPresent(t -> status.setLastSuccessfulTime(format(t)));
        });

    Retention retention = new Retention(
        Optional.ofNullable(spec.getRetention()).map(BackupScheduleSpec.Retention::getKeepLast),
        Optional.ofNullable(spec.getRetention()).map(BackupScheduleSpec.Retention::getMaxAgeHours)
            .map(Duration::ofHours));
    List<String> delete = retention.toDelete(existing.stream()
        .map(b -> new Retention.Backup(b.name(), b.scheduledAt(), b.outcome())).toList(), now);
    Duration wakeUp = schedule.nextAfter(now).map(n -> Duration.between(now, n)).filter(d -> !d.isNegative())
        .orElse(Duration.ZERO);
    Optional<Readiness> readiness = existing.stream().filter(b -> b.outcome() != Retention.Outcome.RUNNING)
        .max(Comparator.comparing(Existing::scheduledAt))
        .map(b -> b.outcome() == Retention.Outcome.COMPLETE
            ? new Readiness(true, Reason.LAST_BACKUP_SUCCEEDED, "scheduled backup " + b.name() + " is at "
                + b.detail())
            : new Readiness(false, Reason.LAST_BACKUP_FAILED, "scheduled backup " + b.name() + " failed: "
                + b.detail()));
    return new Plan(create, delete, status, wakeUp, readiness);
  }

  private static String format(Instant time) {
    return DateTimeFormatter.ISO_INSTANT.format(time);
  }
}
