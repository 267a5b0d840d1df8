package dev.etcdoperator.cluster.backups;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.BackupScheduleSpec;
import dev.etcdoperator.api.v1alpha1.BackupScheduleStatus;
import dev.etcdoperator.schedule.CronSchedule;
import dev.etcdoperator.schedule.Retention;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The backup schedule of cluster "main" (nightly at 03:00 UTC) at fixed moments. */
class ScheduledBackupsTest {
  private static final CronSchedule NIGHTLY = CronSchedule.parse("0 3 * * *");

  @Test
  void aNewScheduleStartsFromNowWithoutABackupForEarlierTimes() {
    ScheduledBackups.Plan plan = plan(spec(), Optional.empty(), List.of(), "2026-11-21T10:00:00Z");
    assertThat(plan.create()).isEmpty();
    assertThat(plan.status().getNextScheduleTime()).isEqualTo("2026-11-22T03:00:00Z");
    assertThat(plan.status().getLastScheduleTime()).isNull();
    assertThat(plan.wakeUp()).isEqualTo(Duration.ofHours(17));
  }

  @Test
  void whenTheTimeComesTheBackupOfThatTimeIsCreatedOnce() {
    Optional<BackupScheduleStatus> seen = Optional.of(status(null, "2026-11-22T03:00:00Z"));
    ScheduledBackups.Plan plan = plan(spec(), seen, List.of(), "2026-11-22T03:00:02Z");
    assertThat(plan.create()).hasValue(new ScheduledBackups.Created("main-202611220300",
        Instant.parse("2026-11-22T03:00:00Z")));
    assertThat(plan.status().getLastScheduleTime()).isEqualTo("2026-11-22T03:00:00Z");
    assertThat(plan.status().getLastBackup()).isEqualTo("main-202611220300");
    assertThat(plan.status().getNextScheduleTime()).isEqualTo("2026-11-23T03:00:00Z");

    ScheduledBackups.Plan again = plan(spec(), Optional.of(plan.status()),
        List.of(running("main-202611220300", "2026-11-22T03:00:00Z")), "2026-11-22T03:00:04Z");
    assertThat(again.create()).isEmpty();
    assertThat(again.status().getLastBackup()).isEqualTo("main-202611220300");
  }

  /** The API server refused the create (a quota): the time stays due, and is tried again within the retry. */
  @Test
  void aRefusedBackupStaysDueAndIsRetried() {
    Optional<BackupScheduleStatus> seen = Optional.of(status(null, "2026-11-22T03:00:00Z"));
    Instant now = Instant.parse("2026-11-22T03:00:02Z");
    ScheduledBackups.Plan plan = plan(spec(), seen, List.of(), now.toString());
    ScheduledBackups.Plan refused = ScheduledBackups.refused("main", spec(), NIGHTLY, seen, List.of(), now,
        plan.create().orElseThrow(), "exceeded quota", Duration.ofMinutes(1));
    assertThat(refused.create()).isEmpty();
    assertThat(refused.readiness()).hasValue(new ScheduledBackups.Readiness(false, "ScheduleFailed",
        "exceeded quota"));
    assertThat(refused.status().getLastScheduleTime()).isNull();
    assertThat(refused.status().getLastBackup()).isNull();
    assertThat(refused.status().getNextScheduleTime()).isEqualTo("2026-11-22T03:00:00Z");
    assertThat(refused.wakeUp()).isEqualTo(Duration.ofMinutes(1));

    ScheduledBackups.Plan retry = plan(spec(), Optional.of(refused.status()), List.of(), "2026-11-22T03:01:02Z");
    assertThat(retry.create()).map(ScheduledBackups.Created::name).hasValue("main-202611220300");
  }

  @Test
  void afterDowntimeOnlyTheLatestMissedTimeIsBackedUp() {
    Optional<BackupScheduleStatus> lastWeek = Optional.of(status("2026-11-14T03:00:00Z", "2026-11-15T03:00:00Z"));
    ScheduledBackups.Plan plan = plan(spec(), lastWeek, List.of(), "2026-11-21T09:00:00Z");
    assertThat(plan.create()).map(ScheduledBackups.Created::name).hasValue("main-202611210300");
  }

  @Test
  void noBackupStartsWhileAnotherRunsButTheDueOneFollowsWhenItEnds() {
    Optional<BackupScheduleStatus> previous = Optional.of(status("2026-11-21T03:00:00Z", "2026-11-22T03:00:00Z"));
    List<ScheduledBackups.Existing> slow = List.of(running("main-202611210300", "2026-11-21T03:00:00Z"));
    assertThat(plan(spec(), previous, slow, "2026-11-22T03:00:01Z").create()).isEmpty();
    List<ScheduledBackups.Existing> done = List.of(complete("main-202611210300", "2026-11-21T03:00:00Z",
        "2026-11-22T03:20:00Z"));
    assertThat(plan(spec(), previous, done, "2026-11-22T03:20:01Z").create())
        .map(ScheduledBackups.Created::name).hasValue("main-202611220300");
  }

  @Test
  void aSuspendedScheduleCreatesNothing() {
    BackupScheduleSpec suspended = spec();
    suspended.setSuspend(true);
    Optional<BackupScheduleStatus> seen = Optional.of(status(null, "2026-11-22T03:00:00Z"));
    assertThat(plan(suspended, seen, List.of(), "2026-11-22T03:00:02Z").create()).isEmpty();
  }

  @Test
  void retentionAndTheLastSuccessComeFromTheExistingBackups() {
    BackupScheduleSpec keepTwo = spec();
    keepTwo.setRetention(new BackupScheduleSpec.Retention());
    keepTwo.getRetention().setKeepLast(2);
    List<ScheduledBackups.Existing> existing = List.of(
        complete("main-202611190300", "2026-11-19T03:00:00Z", "2026-11-19T03:01:00Z"),
        complete("main-202611200300", "2026-11-20T03:00:00Z", "2026-11-20T03:01:00Z"),
        new ScheduledBackups.Existing("main-202611210300", Instant.parse("2026-11-21T03:00:00Z"),
            Retention.Outcome.FAILED, Optional.of(Instant.parse("2026-11-21T03:09:00Z")), "bucket b does not exist"),
        complete("main-202611180300", "2026-11-18T03:00:00Z", "2026-11-18T03:01:00Z"));
    ScheduledBackups.Plan plan = plan(keepTwo, Optional.of(status("2026-11-21T03:00:00Z", "2026-11-22T03:00:00Z")),
        existing, "2026-11-21T12:00:00Z");
    assertThat(plan.delete()).containsExactly("main-202611180300");
    assertThat(plan.status().getLastSuccessfulBackup()).isEqualTo("main-202611200300");
    assertThat(plan.status().getLastSuccessfulTime()).isEqualTo("2026-11-20T03:01:00Z");
    assertThat(plan.readiness()).as("the newest finished one failed").hasValue(new ScheduledBackups.Readiness(false,
        "LastBackupFailed", "scheduled backup main-202611210300 failed: bucket b does not exist"));
    assertThat(plan(keepTwo, Optional.empty(), existing.subList(0, 2), "2026-11-21T12:00:00Z").readiness())
        .hasValue(new ScheduledBackups.Readiness(true, "LastBackupSucceeded",
            "scheduled backup main-202611200300 is at s3://b/main-202611200300.db"));
    assertThat(plan(keepTwo, Optional.empty(), List.of(running("main-1", "2026-11-21T03:00:00Z")),
        "2026-11-21T12:00:00Z").readiness()).as("nothing finished yet").isEmpty();
  }

  private static ScheduledBackups.Plan plan(BackupScheduleSpec spec, Optional<BackupScheduleStatus> previous,
      List<ScheduledBackups.Existing> existing, String now) {
    return ScheduledBackups.plan("main", spec, NIGHTLY, previous, existing, Instant.parse(now));
  }

  private static BackupScheduleSpec spec() {
    BackupScheduleSpec spec = new BackupScheduleSpec();
    spec.setSchedule("0 3 * * *");
    return spec;
  }

  private static BackupScheduleStatus status(String last, String next) {
    BackupScheduleStatus status = new BackupScheduleStatus();
    status.setLastScheduleTime(last);
    status.setNextScheduleTime(next);
    return status;
  }

  private static ScheduledBackups.Existing running(String name, String scheduledAt) {
    return new ScheduledBackups.Existing(name, Instant.parse(scheduledAt), Retention.Outcome.RUNNING,
        Optional.empty(), "");
  }

  private static ScheduledBackups.Existing complete(String name, String scheduledAt, String completedAt) {
    return new ScheduledBackups.Existing(name, Instant.parse(scheduledAt), Retention.Outcome.COMPLETE,
        Optional.of(Instant.parse(completedAt)), "s3://b/" + name + ".db");
  }
}
