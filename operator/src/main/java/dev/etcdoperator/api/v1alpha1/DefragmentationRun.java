package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A defragmentation under way: which members it is for, and which are done, so a restarted operator resumes it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DefragmentationRun {
  @JsonPropertyDescription("When the run started.")
  private String startedAt;

  @JsonPropertyDescription("Why it runs: a scheduled time, a threshold crossed, or a request.")
  private String trigger;

  @Size(max = 9)
  @JsonPropertyDescription("The voting members the run is for (followers go first, the leader last).")
  private List<String> members = new ArrayList<>();

  @Size(max = 9)
  @JsonPropertyDescription("Members done so far.")
  private List<MemberDefragmentation> done = new ArrayList<>();

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  public String getTrigger() {
    return trigger;
  }

  public void setTrigger(String trigger) {
    this.trigger = trigger;
  }

  public List<String> getMembers() {
    return members;
  }

  public void setMembers(List<String> members) {
    this.members = members;
  }

  public List<MemberDefragmentation> getDone() {
    return done;
  }

  public void setDone(List<MemberDefragmentation> done) {
    this.done = done;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DefragmentationRun o && Objects.equals(startedAt, o.startedAt)
        && Objects.equals(trigger, o.trigger) && Objects.equals(members, o.members) && Objects.equals(done, o.done);
  }

  @Override
  public int hashCode() {
    return Objects.hash(startedAt, trigger, members, done);
  }
}
