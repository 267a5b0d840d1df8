package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Where the backup schedule stands. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupScheduleStatus {
  @JsonPropertyDescription("The scheduled time of the latest backup created by the schedule.")
  private String lastScheduleTime;

  @JsonPropertyDescription("The next scheduled time.")
  private String nextScheduleTime;

  @JsonPropertyDescription("When the newest complete scheduled backup completed.")
  private String lastSuccessfulTime;

  @JsonPropertyDescription("The EtcdBackup created for lastScheduleTime.")
  private String lastBackup;

  @JsonPropertyDescription("The newest complete scheduled EtcdBackup.")
  private String lastSuccessfulBackup;

  public String getLastScheduleTime() {
    return lastScheduleTime;
  }

  public void setLastScheduleTime(String lastScheduleTime) {
    this.lastScheduleTime = lastScheduleTime;
  }

  public String getNextScheduleTime() {
    return nextScheduleTime;
  }

  public void setNextScheduleTime(String nextScheduleTime) {
    this.nextScheduleTime = nextScheduleTime;
  }

  public String getLastSuccessfulTime() {
    return lastSuccessfulTime;
  }

  public void setLastSuccessfulTime(String lastSuccessfulTime) {
    this.lastSuccessfulTime = lastSuccessfulTime;
  }

  public String getLastBackup() {
    return lastBackup;
  }

  public void setLastBackup(String lastBackup) {
    this.lastBackup = lastBackup;
  }

  public String getLastSuccessfulBackup() {
    return lastSuccessfulBackup;
  }

  public void setLastSuccessfulBackup(String lastSuccessfulBackup) {
    this.lastSuccessfulBackup = lastSuccessfulBackup;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BackupScheduleStatus s && Objects.equals(lastScheduleTime, s.lastScheduleTime)
        && Objects.equals(nextScheduleTime, s.nextScheduleTime)
        && Objects.equals(lastSuccessfulTime, s.lastSuccessfulTime) && Objects.equals(lastBackup, s.lastBackup)
        && Objects.equals(lastSuccessfulBackup, s.lastSuccessfulBackup);
  }

  @Override
  public int hashCode() {
    return Objects.hash(lastScheduleTime, nextScheduleTime, lastSuccessfulTime, lastBackup, lastSuccessfulBackup);
  }
}
