package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Keeping the members' databases small without a human: compaction, defragmentation, NOSPACE recovery. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MaintenanceSpec {
  /** Set to "now" on an EtcdCluster to start a defragmentation of every member; the operator removes it. */
  public static final String DEFRAGMENT_ANNOTATION = "etcdoperator.dev/defragment";

  @JsonPropertyDescription("Compaction of old revisions, by etcd itself (its auto-compaction flags), so it goes on "
      + "while the operator is down. Replaces spec.etcd.autoCompactionMode/autoCompactionRetention.")
  private Compaction compaction;

  @JsonPropertyDescription("Defragmentation of the members' database files, one member at a time, the leader last: "
      + "on a schedule, when a member crosses a threshold, or both (then at the scheduled times, if needed). The "
      + "annotation etcdoperator.dev/defragment=now starts a run over every member.")
  private Defragmentation defragmentation;

  @JsonPropertyDescription("What the operator does when etcd raises NOSPACE (a member's database reached its quota).")
  private NoSpace noSpace;

  /** etcd's auto-compaction. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "self.mode != 'revision' || self.retention.matches('^[0-9]+$')",
      message = "compaction.retention: a revision count such as 10000 for mode revision")
  public static class Compaction {
    @Required
    @JsonPropertyDescription("periodic: keep a duration of history; revision: keep a number of revisions.")
    private EtcdTuning.AutoCompactionMode mode;

    @Required
    @Pattern("^[0-9]+(h|m|s)?$")
    @Size(max = SchemaLimits.KEYWORD)
    @JsonPropertyDescription("How much history to keep: a duration for periodic (1h, 30m), a count for revision.")
    private String retention;

    public EtcdTuning.AutoCompactionMode getMode() {
      return mode;
    }

    public void setMode(EtcdTuning.AutoCompactionMode mode) {
      this.mode = mode;
    }

    public String getRetention() {
      return retention;
    }

    public void setRetention(String retention) {
      this.retention = retention;
    }
  }

  /** When members are defragmented. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "has(self.schedule) || has(self.threshold)",
      message = "defragmentation needs a schedule, a threshold, or both")
  public static class Defragmentation {
    @Size(max = SchemaLimits.CRON_SCHEDULE)
    @Pattern("^\\S+( +\\S+){4}$")
    @JsonPropertyDescription("When to defragment: a cron expression in five fields, in UTC, e.g. \"0 3 * * *\".")
    private String schedule;

    @JsonPropertyDescription("Defragment a member once this much of its file is free pages (both limits met).")
    private Threshold threshold;

    public String getSchedule() {
      return schedule;
    }

    public void setSchedule(String schedule) {
      this.schedule = schedule;
    }

    public Threshold getThreshold() {
      return threshold;
    }

    public void setThreshold(Threshold threshold) {
      this.threshold = threshold;
    }
  }

  /** The free pages worth a defragmentation. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Threshold {
    @Default("45")
    @Min(1)
    @Max(100)
    @JsonPropertyDescription("Share of the database file, in percent, that is free pages (default 45).")
    private Integer fragmentedPercent = 45;

    @Default("104857600")
    @Min(0)
    @JsonPropertyDescription("Free bytes in the file at least (default 100 MiB), so that small databases are left "
        + "alone.")
    private Long reclaimableBytes = 104857600L;

    public Integer getFragmentedPercent() {
      return fragmentedPercent;
    }

    public void setFragmentedPercent(Integer fragmentedPercent) {
      this.fragmentedPercent = fragmentedPercent;
    }

    public Long getReclaimableBytes() {
      return reclaimableBytes;
    }

    public void setReclaimableBytes(Long reclaimableBytes) {
      this.reclaimableBytes = reclaimableBytes;
    }
  }

  /** NOSPACE recovery. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class NoSpace {
    @Default("true")
    @JsonPropertyDescription("Compact, defragment and disarm by itself (default true); false leaves the alarm to you.")
    private Boolean recover = true;

    @Default("80")
    @Min(10)
    @Max(95)
    @JsonPropertyDescription("Disarm only once every member's file is below this share of the quota (default 80).")
    private Integer disarmBelowPercent = 80;

    public Boolean getRecover() {
      return recover;
    }

    public void setRecover(Boolean recover) {
      this.recover = recover;
    }

    public Integer getDisarmBelowPercent() {
      return disarmBelowPercent;
    }

    public void setDisarmBelowPercent(Integer disarmBelowPercent) {
      this.disarmBelowPercent = disarmBelowPercent;
    }
  }

  public NoSpace getNoSpace() {
    return noSpace;
  }

  public void setNoSpace(NoSpace noSpace) {
    this.noSpace = noSpace;
  }

  public Defragmentation getDefragmentation() {
    return defragmentation;
  }

  public void setDefragmentation(Defragmentation defragmentation) {
    this.defragmentation = defragmentation;
  }

  public Compaction getCompaction() {
    return compaction;
  }

  public void setCompaction(Compaction compaction) {
    this.compaction = compaction;
  }
}
