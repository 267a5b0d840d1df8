package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Scheduled backups of a cluster: each run creates an EtcdBackup; retention deletes old ones with their snapshots. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupScheduleSpec {
  @Required
  @Size(max = SchemaLimits.CRON_SCHEDULE)
  @JsonPropertyDescription("When to back up: a cron expression in five fields (minute hour day-of-month month "
      + "day-of-week), in UTC, e.g. \"0 3 * * *\" for 03:00 every day. After operator downtime a missed run "
      + "happens once.")
  private String schedule;

  @Required
  @JsonPropertyDescription("Where the snapshots go.")
  private BackupDestination destination;

  @JsonPropertyDescription("Which scheduled backups to keep; without it every one is kept.")
  private Retention retention;

  @Default("false")
  @JsonPropertyDescription("When true no new scheduled backup starts (a running one finishes).")
  private Boolean suspend = false;

  public String getSchedule() {
    return schedule;
  }

  public void setSchedule(String schedule) {
    this.schedule = schedule;
  }

  public BackupDestination getDestination() {
    return destination;
  }

  public void setDestination(BackupDestination destination) {
    this.destination = destination;
  }

  public Retention getRetention() {
    return retention;
  }

  public void setRetention(Retention retention) {
    this.retention = retention;
  }

  public Boolean getSuspend() {
    return suspend;
  }

  public void setSuspend(Boolean suspend) {
    this.suspend = suspend;
  }

  /** Scheduled backups beyond these are deleted, snapshot included; the newest complete one is always kept. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Retention {
    @Min(1)
    @JsonPropertyDescription("Keep this many newest complete backups (and as many failed ones).")
    private Integer keepLast;

    @Min(1)
    @JsonPropertyDescription("Delete backups scheduled more than this many hours ago.")
    private Integer maxAgeHours;

    public Integer getKeepLast() {
      return keepLast;
    }

    public void setKeepLast(Integer keepLast) {
      this.keepLast = keepLast;
    }

    public Integer getMaxAgeHours() {
      return maxAgeHours;
    }

    public void setMaxAgeHours(Integer maxAgeHours) {
      this.maxAgeHours = maxAgeHours;
    }
  }
}
