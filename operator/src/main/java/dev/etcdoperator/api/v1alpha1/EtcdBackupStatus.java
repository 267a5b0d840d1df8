package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class EtcdBackupStatus {
  private Long observedGeneration;

  @JsonPropertyDescription("Progressing while the snapshot is taken or retried; Complete or Failed at the end.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("When the first attempt started.")
  private String startTime;

  @JsonPropertyDescription("When the snapshot was complete in the bucket, or when the backup failed for good.")
  private String completionTime;

  @JsonPropertyDescription("Attempts made so far (a failure that may pass is retried a few times).")
  private Integer attempts;

  @JsonPropertyDescription("The member the snapshot was taken from.")
  private String member;

  @JsonPropertyDescription("The snapshot object: s3://<bucket>/<key>.")
  private String location;

  @JsonPropertyDescription("Size of the snapshot in bytes.")
  private Long sizeBytes;

  @JsonPropertyDescription("SHA-256 of the snapshot object (hex); a restore checks it before using the snapshot.")
  private String sha256;

  @JsonPropertyDescription("etcd revision when the snapshot started: every write up to it is in the snapshot.")
  private Long revision;

  @JsonPropertyDescription("etcd version of the member the snapshot was taken from.")
  private String etcdVersion;

  @JsonPropertyDescription("etcd cluster ID (hex) of the cluster the snapshot was taken from.")
  private String clusterID;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public String getStartTime() {
    return startTime;
  }

  public void setStartTime(String startTime) {
    this.startTime = startTime;
  }

  public String getCompletionTime() {
    return completionTime;
  }

  public void setCompletionTime(String completionTime) {
    this.completionTime = completionTime;
  }

  public Integer getAttempts() {
    return attempts;
  }

  public void setAttempts(Integer attempts) {
    this.attempts = attempts;
  }

  public String getMember() {
    return member;
  }

  public void setMember(String member) {
    this.member = member;
  }

  public String getLocation() {
    return location;
  }

  public void setLocation(String location) {
    this.location = location;
  }

  public Long getSizeBytes() {
    return sizeBytes;
  }

  public void setSizeBytes(Long sizeBytes) {
    this.sizeBytes = sizeBytes;
  }

  public String getSha256() {
    return sha256;
  }

  public void setSha256(String sha256) {
    this.sha256 = sha256;
  }

  public Long getRevision() {
    return revision;
  }

  public void setRevision(Long revision) {
    this.revision = revision;
  }

  public String getEtcdVersion() {
    return etcdVersion;
  }

  public void setEtcdVersion(String etcdVersion) {
    this.etcdVersion = etcdVersion;
  }

  public String getClusterID() {
    return clusterID;
  }

  public void setClusterID(String clusterID) {
    this.clusterID = clusterID;
  }
}
