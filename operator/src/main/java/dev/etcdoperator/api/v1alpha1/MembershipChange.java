package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One membership change the operator has started and not yet finished. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MembershipChange {
  public static final String SCALE_OUT = "ScaleOut";
  public static final String SCALE_IN = "ScaleIn";

  @JsonPropertyDescription("ScaleOut (a learner is added, then promoted) or ScaleIn (the member is removed, then "
      + "its pod and volume claim).")
  private String operation;

  @JsonPropertyDescription("The member being added or removed (its pod name).")
  private String member;

  @JsonPropertyDescription("When the operator started this change (RFC 3339).")
  private String startTime;

  public MembershipChange() {}

  public MembershipChange(String operation, String member, String startTime) {
    this.operation = operation;
    this.member = member;
    this.startTime = startTime;
  }

  public String getOperation() {
    return operation;
  }

  public void setOperation(String operation) {
    this.operation = operation;
  }

  public String getMember() {
    return member;
  }

  public void setMember(String member) {
    this.member = member;
  }

  public String getStartTime() {
    return startTime;
  }

  public void setStartTime(String startTime) {
    this.startTime = startTime;
  }

  /** The same change, whenever it started. */
  public boolean sameChange(MembershipChange other) {
    return other != null && Objects.equals(operation, other.operation) && Objects.equals(member, other.member);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MembershipChange c && Objects.equals(operation, c.operation)
        && Objects.equals(member, c.member) && Objects.equals(startTime, c.startTime);
  }

  @Override
  public int hashCode() {
    return Objects.hash(operation, member, startTime);
  }

  @Override
  public String toString() {
    return operation + " " + member + " since " + startTime;
  }
}
