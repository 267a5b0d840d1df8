package dev.etcdoperator.schedule;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * When a scheduled backup is due. After downtime that covered several scheduled times, only the latest one runs,
 * once: a backup is about the data now, and a burst of backups after an outage helps nobody.
 */
public final class ScheduledRuns {
  private static final DateTimeFormatter SLOT = DateTimeFormatter.ofPattern("yyyyMMddHHmm").withZone(ZoneOffset.UTC);

  private ScheduledRuns() {}

  /**
   * @param since the last scheduled time already run, or when the schedule was set
   * @return the scheduled time to run now: the latest one after {@code since} and not after {@code now}
   */
  public static Optional<Instant> due(CronSchedule schedule, Instant since, Instant now) {
    return schedule.latestAtOrBefore(now).filter(slot -> slot.isAfter(since));
  }

  /**
   * The name of the EtcdBackup for one scheduled time: the same time always gives the same name, so an operator
   * that restarts after creating it does not create a second.
   */
  public static String backupName(String cluster, Instant slot) {
    return cluster + "-" + SLOT.format(slot);
  }
}
