package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One etcd member as the operator last saw it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MemberStatus {
  private String name;

  @JsonPropertyDescription("Member ID (hex).")
  private String id;

  private String peerURL;
  private String clientURL;
  private Boolean learner;
  private Boolean healthy;
  private Boolean leader;
  private String version;

  @JsonPropertyDescription("Size of the backend database in bytes.")
  private Long dbSize;

  @JsonPropertyDescription("Bytes of the backend database in use; the rest can be reclaimed by defragmentation.")
  private Long dbSizeInUse;

  @JsonPropertyDescription("Why the member is not healthy, when it is not.")
  private String message;

  @JsonPropertyDescription("UID of the volume claim holding this member's data, as last seen while the member was "
      + "healthy: a claim of another UID for this member means its data is gone, and the member is replaced; so is "
      + "an unhealthy member whose claim was deleted and not made again.")
  private String volumeClaimUID;

  @JsonPropertyDescription("UID of the pod holding this member's data when storage is emptyDir, as last seen while "
      + "the member was healthy: a pod of another UID for this member means its data is gone, and the member is "
      + "replaced.")
  private String podUID;

  public String getPodUID() {
    return podUID;
  }

  public void setPodUID(String podUID) {
    this.podUID = podUID;
  }

  public String getVolumeClaimUID() {
    return volumeClaimUID;
  }

  public void setVolumeClaimUID(String volumeClaimUID) {
    this.volumeClaimUID = volumeClaimUID;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public String getPeerURL() {
    return peerURL;
  }

  public void setPeerURL(String peerURL) {
    this.peerURL = peerURL;
  }

  public String getClientURL() {
    return clientURL;
  }

  public void setClientURL(String clientURL) {
    this.clientURL = clientURL;
  }

  public Boolean getLearner() {
    return learner;
  }

  public void setLearner(Boolean learner) {
    this.learner = learner;
  }

  public Boolean getHealthy() {
    return healthy;
  }

  public void setHealthy(Boolean healthy) {
    this.healthy = healthy;
  }

  public Boolean getLeader() {
    return leader;
  }

  public void setLeader(Boolean leader) {
    this.leader = leader;
  }

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  public Long getDbSize() {
    return dbSize;
  }

  public void setDbSize(Long dbSize) {
    this.dbSize = dbSize;
  }

  public Long getDbSizeInUse() {
    return dbSizeInUse;
  }

  public void setDbSizeInUse(Long dbSizeInUse) {
    this.dbSizeInUse = dbSizeInUse;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MemberStatus m && Objects.equals(name, m.name) && Objects.equals(id, m.id)
        && Objects.equals(peerURL, m.peerURL) && Objects.equals(clientURL, m.clientURL)
        && Objects.equals(learner, m.learner) && Objects.equals(healthy, m.healthy)
        && Objects.equals(leader, m.leader) && Objects.equals(version, m.version)
        && Objects.equals(dbSize, m.dbSize) && Objects.equals(dbSizeInUse, m.dbSizeInUse)
        && Objects.equals(message, m.message) && Objects.equals(volumeClaimUID, m.volumeClaimUID)
        && Objects.equals(podUID, m.podUID);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, id, healthy, leader);
  }
}
