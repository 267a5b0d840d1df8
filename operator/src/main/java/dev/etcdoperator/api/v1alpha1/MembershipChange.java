package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One membership change the operator has started and not yet finished. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MembershipChange {
  public static final String SCALE_OUT = "ScaleOut";
  public static final String SCALE_IN = "ScaleIn";
  public static final String REPLACE_MEMBER = "ReplaceMember";

  @JsonPropertyDescription("ScaleOut (a learner is added, then promoted), ScaleIn (the member is removed, then its "
      + "pod and volume claim) or ReplaceMember (a member whose data is gone or that keeps failing is removed, its "
      + "volume claim and pod are recreated empty, and it joins again as a learner).")
  private String operation;

  @JsonPropertyDescription("The member being added or removed (its pod name).")
  private String member;

  @JsonPropertyDescription("When the operator started this change (RFC 3339).")
  private String startTime;

  @JsonPropertyDescription("ReplaceMember: UID of the member's old volume claim, deleted before the member rejoins.")
  private String staleVolumeClaimUID;

  @JsonPropertyDescription("ReplaceMember: UID of the member's old pod, deleted before the member rejoins.")
  private String stalePodUID;

  public MembershipChange() {}

  public MembershipChange(String operation, String member, String startTime) {
    this.operation = operation;
    this.member = member;
    this.startTime = startTime;
  }

  public String getStaleVolumeClaimUID() {
    return staleVolumeClaimUID;
  }

  public void setStaleVolumeClaimUID(String staleVolumeClaimUID) {
    this.staleVolumeClaimUID = staleVolumeClaimUID;
  }

  public String getStalePodUID() {
    return stalePodUID;
  }

  public void setStalePodUID(String stalePodUID) {
    this.stalePodUID = stalePodUID;
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
        && Objects.equals(member, c.member) && Objects.equals(startTime, c.startTime)
        && Objects.equals(staleVolumeClaimUID, c.staleVolumeClaimUID) && Objects.equals(stalePodUID, c.stalePodUID);
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
