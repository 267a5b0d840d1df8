package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** One snapshot object in a bucket, optionally with the SHA-256 it must have. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class S3SnapshotLocation extends S3Bucket {
  @Required
  @Pattern("^[^/].*$")
  @Size(max = SchemaLimits.OBJECT_KEY)
  @JsonPropertyDescription("Key of the snapshot object, without leading slash.")
  private String key;

  @Pattern("^[0-9a-f]{64}$")
  @Size(max = SchemaLimits.SHA256_HEX)
  @JsonPropertyDescription("SHA-256 of the whole snapshot object (64 lowercase hex digits), as an EtcdBackup's "
      + "status.sha256 or sha256sum gives it. Optional: every etcd snapshot ends with the SHA-256 of its database, "
      + "which the restore checks in any case; this also pins the exact object, and any other is refused.")
  private String sha256;

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }

  public String getSha256() {
    return sha256;
  }

  public void setSha256(String sha256) {
    this.sha256 = sha256;
  }
}
