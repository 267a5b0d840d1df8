package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** A rollout of a changed pod template in progress: which revision, how far. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutStatus {
  @JsonPropertyDescription("The StatefulSet revision being rolled out.")
  private String revision;

  @JsonPropertyDescription("The etcd version the members ran before (the lowest one still running).")
  private String fromVersion;

  @JsonPropertyDescription("The etcd version being rolled out.")
  private String version;

  @JsonPropertyDescription("Members whose pod runs that revision.")
  private Integer updatedMembers;

  @JsonPropertyDescription("Members in all.")
  private Integer members;

  public RolloutStatus() {}

  public RolloutStatus(String revision, String fromVersion, String version, int updatedMembers, int members) {
    this.revision = revision;
    this.fromVersion = fromVersion;
    this.version = version;
    this.updatedMembers = updatedMembers;
    this.members = members;
  }

  public String getRevision() {
    return revision;
  }

  public void setRevision(String revision) {
    this.revision = revision;
  }

  public String getFromVersion() {
    return fromVersion;
  }

  public void setFromVersion(String fromVersion) {
    this.fromVersion = fromVersion;
  }

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  public Integer getUpdatedMembers() {
    return updatedMembers;
  }

  public void setUpdatedMembers(Integer updatedMembers) {
    this.updatedMembers = updatedMembers;
  }

  public Integer getMembers() {
    return members;
  }

  public void setMembers(Integer members) {
    this.members = members;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RolloutStatus r && Objects.equals(revision, r.revision)
        && Objects.equals(fromVersion, r.fromVersion) && Objects.equals(version, r.version)
        && Objects.equals(updatedMembers, r.updatedMembers) && Objects.equals(members, r.members);
  }

  @Override
  public int hashCode() {
    return Objects.hash(revision, version, updatedMembers, members);
  }
}
