package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Keeping the members' databases small without a human. Compaction for now; defragmentation and NOSPACE recovery
 * join it once the operator carries them out (their planners exist, see the maintenance package).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MaintenanceSpec {

  @JsonPropertyDescription("Compaction of old revisions, by etcd itself (its auto-compaction flags), so it goes on "
      + "while the operator is down. Replaces spec.etcd.autoCompactionMode/autoCompactionRetention.")
  private Compaction compaction;

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

  public Compaction getCompaction() {
    return compaction;
  }

  public void setCompaction(Compaction compaction) {
    this.compaction = compaction;
  }
}
