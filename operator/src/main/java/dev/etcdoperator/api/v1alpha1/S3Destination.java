package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Where backups go: a bucket, a key prefix, and the encryption of the objects. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class S3Destination extends S3Bucket {

  @Pattern("^[^/].*[^/]$|^[^/]$")
  @Size(max = SchemaLimits.KEY_PREFIX)
  @JsonPropertyDescription("Key prefix, without leading or trailing slash; objects go under "
      + "<prefix>/<namespace>/<cluster>/.")
  private String prefix;

  @JsonPropertyDescription("Server-side encryption of the snapshot objects.")
  private ServerSideEncryption serverSideEncryption;

  public String getPrefix() {
    return prefix;
  }

  public void setPrefix(String prefix) {
    this.prefix = prefix;
  }

  public ServerSideEncryption getServerSideEncryption() {
    return serverSideEncryption;
  }

  public void setServerSideEncryption(ServerSideEncryption serverSideEncryption) {
    this.serverSideEncryption = serverSideEncryption;
  }

  /** SSE-S3 (AES256) or SSE-KMS. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "!has(self.kmsKeyID) || self.type == 'KMS'",
      message = "serverSideEncryption.kmsKeyID needs type KMS")
  public static class ServerSideEncryption {
    public enum Type { AES256, KMS }

    @Required
    @JsonPropertyDescription("AES256 (keys managed by S3) or KMS.")
    private Type type;

    @Size(max = SchemaLimits.KMS_KEY_ID)
    @JsonPropertyDescription("KMS key ID or ARN; without it S3 uses the account's default KMS key.")
    private String kmsKeyID;

    public Type getType() {
      return type;
    }

    public void setType(Type type) {
      this.type = type;
    }

    public String getKmsKeyID() {
      return kmsKeyID;
    }

    public void setKmsKeyID(String kmsKeyID) {
      this.kmsKeyID = kmsKeyID;
    }
  }
}
