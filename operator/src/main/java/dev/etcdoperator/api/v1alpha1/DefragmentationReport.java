package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The last finished defragmentation. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DefragmentationReport {
  @JsonPropertyDescription("When the run started.")
  private String startedAt;

  @JsonPropertyDescription("When its last member was done.")
  private String finishedAt;

  @JsonPropertyDescription("Why it ran.")
  private String trigger;

  @Size(max = 9)
  @JsonPropertyDescription("Each member's result.")
  private List<MemberDefragmentation> members = new ArrayList<>();

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  public String getFinishedAt() {
    return finishedAt;
  }

  public void setFinishedAt(String finishedAt) {
    this.finishedAt = finishedAt;
  }

  public String getTrigger() {
    return trigger;
  }

  public void setTrigger(String trigger) {
    this.trigger = trigger;
  }

  public List<MemberDefragmentation> getMembers() {
    return members;
  }

  public void setMembers(List<MemberDefragmentation> members) {
    this.members = members;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DefragmentationReport o && Objects.equals(startedAt, o.startedAt)
        && Objects.equals(finishedAt, o.finishedAt) && Objects.equals(trigger, o.trigger)
        && Objects.equals(members, o.members);
  }

  @Override
  public int hashCode() {
    return Objects.hash(startedAt, finishedAt, trigger, members);
  }
}
