package dev.etcdoperator.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Schedules, due runs and retention under fixed times (no clock is read here). */
class CronScheduleTest {
  private static final CronSchedule NIGHTLY = CronSchedule.parse("0 3 * * *");

  @Test
  void theNextAndLatestTimesFollowTheExpressionInUtc() {
    assertThat(NIGHTLY.nextAfter(Instant.parse("2026-11-21T02:59:59Z"))).hasValue(Instant.parse("2026-11-21T03:00:00Z"));
    assertThat(NIGHTLY.nextAfter(Instant.parse("2026-11-21T03:00:00Z"))).hasValue(Instant.parse("2026-11-22T03:00:00Z"));
    assertThat(NIGHTLY.latestAtOrBefore(Instant.parse("2026-11-21T03:00:30Z")))
        .hasValue(Instant.parse("2026-11-21T03:00:00Z"));
    assertThat(NIGHTLY.latestAtOrBefore(Instant.parse("2026-11-21T02:00:00Z")))
        .hasValue(Instant.parse("2026-11-20T03:00:00Z"));
    assertThat(CronSchedule.parse("*/15 * * * *").nextAfter(Instant.parse("2026-11-21T10:07:00Z")))
        .hasValue(Instant.parse("2026-11-21T10:15:00Z"));
  }

  @Test
  void invalidExpressionsAreRefusedWithAMessageSayingWhatIsExpected() {
    assertThatThrownBy(() -> CronSchedule.parse("every night")).isInstanceOf(CronSchedule.InvalidScheduleException.class)
        .hasMessageStartingWith("schedule \"every night\" is not a valid cron expression (five fields: minute hour "
            + "day-of-month month day-of-week): ");
    assertThatThrownBy(() -> CronSchedule.parse("0 25 * * *")).hasMessageStartingWith("schedule \"0 25 * * *\"");
    assertThatThrownBy(() -> CronSchedule.parse(" ")).hasMessage("the schedule is empty; expected five cron fields, "
        + "e.g. \"0 3 * * *\"");
  }

  @Test
  void aRunIsDueOnceItsTimeHasComeAndOnlyOnce() {
    Instant lastRun = Instant.parse("2026-11-20T03:00:00Z");
    assertThat(ScheduledRuns.due(NIGHTLY, lastRun, Instant.parse("2026-11-21T02:59:00Z"))).isEmpty();
    assertThat(ScheduledRuns.due(NIGHTLY, lastRun, Instant.parse("2026-11-21T03:00:05Z")))
        .hasValue(Instant.parse("2026-11-21T03:00:00Z"));
    assertThat(ScheduledRuns.due(NIGHTLY, Instant.parse("2026-11-21T03:00:00Z"),
        Instant.parse("2026-11-21T03:00:05Z"))).as("already run").isEmpty();
  }

  @Test
  void afterDowntimeOnlyTheLatestMissedRunHappens() {
    Instant lastRun = Instant.parse("2026-11-17T03:00:00Z");
    Instant backAt = Instant.parse("2026-11-21T09:30:00Z");
    assertThat(ScheduledRuns.due(NIGHTLY, lastRun, backAt)).hasValue(Instant.parse("2026-11-21T03:00:00Z"));
    assertThat(ScheduledRuns.due(NIGHTLY, Instant.parse("2026-11-21T03:00:00Z"), backAt)).isEmpty();
  }

  @Test
  void aScheduledTimeAlwaysGivesTheSameBackupName() {
    assertThat(ScheduledRuns.backupName("main", Instant.parse("2026-11-21T03:00:00Z"))).isEqualTo("main-202611210300");
  }

  @Test
  void retentionKeepsTheNewestByCountAndAgeButNeverTheLastCompleteOne() {
    Instant now = Instant.parse("2026-11-21T12:00:00Z");
    List<Retention.Backup> backups = List.of(
        backup("d1", "2026-11-21T03:00:00Z", Retention.Outcome.RUNNING),
        backup("d2", "2026-11-20T03:00:00Z", Retention.Outcome.COMPLETE),
        backup("d3", "2026-11-19T03:00:00Z", Retention.Outcome.FAILED),
        backup("d4", "2026-11-18T03:00:00Z", Retention.Outcome.COMPLETE),
        backup("d5", "2026-11-17T03:00:00Z", Retention.Outcome.COMPLETE),
        backup("d6", "2026-11-10T03:00:00Z", Retention.Outcome.FAILED));
    assertThat(new Retention(Optional.of(2), Optional.empty()).toDelete(backups, now)).containsExactly("d5");
    assertThat(new Retention(Optional.of(1), Optional.empty()).toDelete(backups, now))
        .containsExactly("d4", "d5", "d6");
    assertThat(new Retention(Optional.empty(), Optional.of(Duration.ofDays(3))).toDelete(backups, now))
        .containsExactly("d4", "d5", "d6");
    assertThat(new Retention(Optional.empty(), Optional.of(Duration.ofHours(1))).toDelete(backups, now))
        .as("the newest complete backup stays, however old").containsExactly("d4", "d5", "d3", "d6");
    assertThat(new Retention(Optional.empty(), Optional.empty()).toDelete(backups, now)).isEmpty();
  }

  private static Retention.Backup backup(String name, String time, Retention.Outcome outcome) {
    return new Retention.Backup(name, Instant.parse(time), outcome);
  }
}
