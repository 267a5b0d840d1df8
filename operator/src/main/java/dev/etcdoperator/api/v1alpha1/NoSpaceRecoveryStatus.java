package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A NOSPACE recovery under way: compacted yet, and which members are defragmented. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NoSpaceRecoveryStatus {
  @JsonPropertyDescription("When the attempt started.")
  private String startedAt;

  @JsonPropertyDescription("Whether the key space was compacted to the current revision.")
  private Boolean compacted;

  @Size(max = 9)
  @JsonPropertyDescription("Members defragmented so far.")
  private List<String> defragmented = new ArrayList<>();

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  public Boolean getCompacted() {
    return compacted;
  }

  public void setCompacted(Boolean compacted) {
    this.compacted = compacted;
  }

  public List<String> getDefragmented() {
    return defragmented;
  }

  public void setDefragmented(List<String> defragmented) {
    this.defragmented = defragmented;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof NoSpaceRecoveryStatus o && Objects.equals(startedAt, o.startedAt)
        && Objects.equals(compacted, o.compacted) && Objects.equals(defragmented, o.defragmented);
  }

  @Override
  public int hashCode() {
    return Objects.hash(startedAt, compacted, defragmented);
  }
}
