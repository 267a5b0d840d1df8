package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One member's defragmentation: its database file before and after, and how long it took. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MemberDefragmentation {
  @JsonPropertyDescription("The member (pod) name.")
  private String member;

  @JsonPropertyDescription("Database file size before, in bytes.")
  private Long bytesBefore;

  @JsonPropertyDescription("Database file size after, in bytes.")
  private Long bytesAfter;

  @JsonPropertyDescription("How long the member was defragmenting (it answers no request meanwhile).")
  private Long durationMillis;

  @JsonPropertyDescription("When it was done.")
  private String finishedAt;

  public String getFinishedAt() {
    return finishedAt;
  }

  public void setFinishedAt(String finishedAt) {
    this.finishedAt = finishedAt;
  }

  public String getMember() {
    return member;
  }

  public void setMember(String member) {
    this.member = member;
  }

  public Long getBytesBefore() {
    return bytesBefore;
  }

  public void setBytesBefore(Long bytesBefore) {
    this.bytesBefore = bytesBefore;
  }

  public Long getBytesAfter() {
    return bytesAfter;
  }

  public void setBytesAfter(Long bytesAfter) {
    this.bytesAfter = bytesAfter;
  }

  public Long getDurationMillis() {
    return durationMillis;
  }

  public void setDurationMillis(Long durationMillis) {
    this.durationMillis = durationMillis;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof MemberDefragmentation o && Objects.equals(member, o.member)
        && Objects.equals(bytesBefore, o.bytesBefore) && Objects.equals(bytesAfter, o.bytesAfter)
        && Objects.equals(durationMillis, o.durationMillis)
        && Objects.equals(finishedAt, o.finishedAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(member, bytesBefore, bytesAfter, durationMillis, finishedAt);
  }
}
