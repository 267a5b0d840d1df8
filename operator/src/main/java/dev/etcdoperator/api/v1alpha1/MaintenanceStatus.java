package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Where maintenance stands (spec.maintenance). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MaintenanceStatus {
  @JsonPropertyDescription("The defragmentation under way, if one is.")
  private DefragmentationRun defragmentationRun;

  @JsonPropertyDescription("The last finished defragmentation.")
  private DefragmentationReport lastDefragmentation;

  @JsonPropertyDescription("The scheduled time of the last scheduled defragmentation (run, or skipped because nothing "
      + "was fragmented).")
  private String lastScheduledDefragmentation;

  public DefragmentationRun getDefragmentationRun() {
    return defragmentationRun;
  }

  public void setDefragmentationRun(DefragmentationRun defragmentationRun) {
    this.defragmentationRun = defragmentationRun;
  }

  public DefragmentationReport getLastDefragmentation() {
    return lastDefragmentation;
  }

  public void setLastDefragmentation(DefragmentationReport lastDefragmentation) {
    this.lastDefragmentation = lastDefragmentation;
  }

  public String getLastScheduledDefragmentation() {
    return lastScheduledDefragmentation;
  }

  public void setLastScheduledDefragmentation(String lastScheduledDefragmentation) {
    this.lastScheduledDefragmentation = lastScheduledDefragmentation;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof MaintenanceStatus o && Objects.equals(defragmentationRun, o.defragmentationRun)
        && Objects.equals(lastDefragmentation, o.lastDefragmentation)
        && Objects.equals(lastScheduledDefragmentation, o.lastScheduledDefragmentation);
  }

  @Override
  public int hashCode() {
    return Objects.hash(defragmentationRun, lastDefragmentation, lastScheduledDefragmentation);
  }
}
