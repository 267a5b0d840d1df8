package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the operator observed; every field is recomputed from the cluster on each reconcile. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EtcdClusterStatus {
  private Long observedGeneration;

  @StatusReplicas
  @JsonPropertyDescription("Member pods that exist.")
  private Integer replicas;

  @JsonPropertyDescription("Member pods that are ready.")
  private Integer readyReplicas;

  @LabelSelector
  @JsonPropertyDescription("Label selector of the member pods (for the scale subresource).")
  private String selector;

  @JsonPropertyDescription("etcd cluster ID (hex); set once the cluster has formed.")
  private String clusterID;

  @JsonPropertyDescription("Name of the member that currently leads.")
  private String leader;

  @JsonPropertyDescription("etcd version the members report (the lowest one during a rollout).")
  private String currentVersion;

  private List<MemberStatus> members = new ArrayList<>();

  @JsonPropertyDescription("The membership change in progress, recorded before etcd is changed so that an operator "
      + "restarted midway finishes it; absent when the membership matches spec.replicas.")
  private MembershipChange membershipChange;

  @JsonPropertyDescription("The rollout of a changed pod template in progress; absent when every member runs the "
      + "current template.")
  private RolloutStatus rollout;

  @JsonPropertyDescription("Scheduled backups (spec.backup): last and next scheduled time, last success.")
  private BackupScheduleStatus backup;

  @JsonPropertyDescription("Maintenance (spec.maintenance): the defragmentation under way and the last one.")
  private MaintenanceStatus maintenance;

  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Certificates the cluster uses, with expiry and renewal time.")
  private List<CertificateStatus> certificates = new ArrayList<>();

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public Integer getReadyReplicas() {
    return readyReplicas;
  }

  public void setReadyReplicas(Integer readyReplicas) {
    this.readyReplicas = readyReplicas;
  }

  public String getSelector() {
    return selector;
  }

  public void setSelector(String selector) {
    this.selector = selector;
  }

  public String getClusterID() {
    return clusterID;
  }

  public void setClusterID(String clusterID) {
    this.clusterID = clusterID;
  }

  public String getLeader() {
    return leader;
  }

  public void setLeader(String leader) {
    this.leader = leader;
  }

  public String getCurrentVersion() {
    return currentVersion;
  }

  public void setCurrentVersion(String currentVersion) {
    this.currentVersion = currentVersion;
  }

  public List<MemberStatus> getMembers() {
    return members;
  }

  public void setMembers(List<MemberStatus> members) {
    this.members = members;
  }

  public RolloutStatus getRollout() {
    return rollout;
  }

  public void setRollout(RolloutStatus rollout) {
    this.rollout = rollout;
  }

  public MembershipChange getMembershipChange() {
    return membershipChange;
  }

  public void setMembershipChange(MembershipChange membershipChange) {
    this.membershipChange = membershipChange;
  }

  public BackupScheduleStatus getBackup() {
    return backup;
  }

  public void setBackup(BackupScheduleStatus backup) {
    this.backup = backup;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public MaintenanceStatus getMaintenance() {
    return maintenance;
  }

  public void setMaintenance(MaintenanceStatus maintenance) {
    this.maintenance = maintenance;
  }

  public List<CertificateStatus> getCertificates() {
    return certificates;
  }

  public void setCertificates(List<CertificateStatus> certificates) {
    this.certificates = certificates;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EtcdClusterStatus s
        && Objects.equals(observedGeneration, s.observedGeneration) && Objects.equals(replicas, s.replicas)
        && Objects.equals(readyReplicas, s.readyReplicas) && Objects.equals(selector, s.selector)
        && Objects.equals(clusterID, s.clusterID) && Objects.equals(leader, s.leader)
        && Objects.equals(currentVersion, s.currentVersion) && Objects.equals(members, s.members)
        && Objects.equals(membershipChange, s.membershipChange) && Objects.equals(rollout, s.rollout)
        && Objects.equals(backup, s.backup) && Objects.equals(maintenance, s.maintenance)
        && Objects.equals(conditions, s.conditions) && Objects.equals(certificates, s.certificates);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, replicas, readyReplicas, clusterID, leader, currentVersion, members);
  }
}
