package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The snapshot a new cluster starts from: a completed EtcdBackup, or an object in S3. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.backupName) != has(self.s3)",
    message = "restore needs exactly one of backupName and s3")
public class RestoreSpec {
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @Size(max = SchemaLimits.OBJECT_NAME)
  @JsonPropertyDescription("A completed EtcdBackup in this namespace; its location, SHA-256 and destination "
      + "(bucket, endpoint, credentials) are used.")
  private String backupName;

  @JsonPropertyDescription("A snapshot object in S3 (e.g. from another namespace or another Kubernetes cluster).")
  private S3SnapshotLocation s3;

  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @Size(max = SchemaLimits.OBJECT_NAME)
  @JsonPropertyDescription("Service account the restore pods run as, e.g. one bound to an IAM role (IRSA, EKS Pod "
      + "Identity) that may read the bucket when no credentials Secret is named. Without it they run with the "
      + "namespace's default account. No Kubernetes API token is mounted either way.")
  private String serviceAccountName;

  public String getServiceAccountName() {
    return serviceAccountName;
  }

  public void setServiceAccountName(String serviceAccountName) {
    this.serviceAccountName = serviceAccountName;
  }

  public String getBackupName() {
    return backupName;
  }

  public void setBackupName(String backupName) {
    this.backupName = backupName;
  }

  public S3SnapshotLocation getS3() {
    return s3;
  }

  public void setS3(S3SnapshotLocation s3) {
    this.s3 = s3;
  }
}
