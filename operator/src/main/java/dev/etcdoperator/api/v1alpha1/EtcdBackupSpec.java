package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self == oldSelf", message = "the spec of an EtcdBackup is immutable: create a new EtcdBackup "
    + "for another snapshot")
public class EtcdBackupSpec {
  /** What happens to the snapshot in the bucket when the EtcdBackup object is deleted. */
  public enum DeletionPolicy { Retain, Delete }

  @Required
  @JsonPropertyDescription("The EtcdCluster, in this namespace, to take the snapshot of.")
  private ClusterReference clusterRef;

  @Required
  @JsonPropertyDescription("Where the snapshot goes.")
  private BackupDestination destination;

  @Default("Retain")
  @JsonPropertyDescription("Retain (default): deleting this object leaves the snapshot in the bucket. Delete: the "
      + "snapshot is deleted with the object (scheduled backups use Delete, so that retention removes both).")
  private DeletionPolicy deletionPolicy = DeletionPolicy.Retain;

  public ClusterReference getClusterRef() {
    return clusterRef;
  }

  public void setClusterRef(ClusterReference clusterRef) {
    this.clusterRef = clusterRef;
  }

  public BackupDestination getDestination() {
    return destination;
  }

  public void setDestination(BackupDestination destination) {
    this.destination = destination;
  }

  public DeletionPolicy getDeletionPolicy() {
    return deletionPolicy;
  }

  public void setDeletionPolicy(DeletionPolicy deletionPolicy) {
    this.deletionPolicy = deletionPolicy;
  }
}
