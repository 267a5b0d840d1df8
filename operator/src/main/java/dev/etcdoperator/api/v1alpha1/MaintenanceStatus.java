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

  @JsonPropertyDescription("The NOSPACE recovery under way, if one is.")
  private NoSpaceRecoveryStatus noSpaceRecovery;

  @JsonPropertyDescription("When the last NOSPACE recovery attempt ended (attempts are at least 10 minutes apart).")
  private String lastNoSpaceRecoveryEnded;

  @JsonPropertyDescription("The backend quota the last NOSPACE recovery attempt worked with: a raised quota is tried "
      + "at once.")
  private Long lastNoSpaceRecoveryQuota;

  @JsonPropertyDescription("The revision etcd compacted the key space to last, as the operator saw it (looked at "
      + "every few minutes; 0: never compacted). Reads and watches below it fail.")
  private Long compactedRevision;

  public Long getCompactedRevision() {
    return compactedRevision;
  }

  public void setCompactedRevision(Long compactedRevision) {
    this.compactedRevision = compactedRevision;
  }

  public Long getLastNoSpaceRecoveryQuota() {
    return lastNoSpaceRecoveryQuota;
  }

  public void setLastNoSpaceRecoveryQuota(Long lastNoSpaceRecoveryQuota) {
    this.lastNoSpaceRecoveryQuota = lastNoSpaceRecoveryQuota;
  }

  public NoSpaceRecoveryStatus getNoSpaceRecovery() {
    return noSpaceRecovery;
  }

  public void setNoSpaceRecovery(NoSpaceRecoveryStatus noSpaceRecovery) {
    this.noSpaceRecovery = noSpaceRecovery;
  }

  public String getLastNoSpaceRecoveryEnded() {
    return lastNoSpaceRecoveryEnded;
  }

  public void setLastNoSpaceRecoveryEnded(String lastNoSpaceRecoveryEnded) {
    this.lastNoSpaceRecoveryEnded = lastNoSpaceRecoveryEnded;
  }

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
        && Objects.equals(lastScheduledDefragmentation, o.lastScheduledDefragmentation)
        && Objects.equals(noSpaceRecovery, o.noSpaceRecovery)
        && Objects.equals(lastNoSpaceRecoveryEnded, o.lastNoSpaceRecoveryEnded)
        && Objects.equals(lastNoSpaceRecoveryQuota, o.lastNoSpaceRecoveryQuota)
        && Objects.equals(compactedRevision, o.compactedRevision);
  }

  @Override
  public int hashCode() {
    return Objects.hash(defragmentationRun, lastDefragmentation, lastScheduledDefragmentation, noSpaceRecovery,
        lastNoSpaceRecoveryEnded, lastNoSpaceRecoveryQuota, compactedRevision);
  }
}
