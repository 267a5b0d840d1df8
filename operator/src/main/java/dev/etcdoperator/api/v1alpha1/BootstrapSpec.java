package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** How a new cluster starts. Only read until the cluster has formed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BootstrapSpec {
  @JsonPropertyDescription("Start from a snapshot instead of empty: every initial member restores it before its "
      + "first start, as a new cluster (new cluster ID and token). Needs persistent storage.")
  private RestoreSpec restore;

  public RestoreSpec getRestore() {
    return restore;
  }

  public void setRestore(RestoreSpec restore) {
    this.restore = restore;
  }
}
