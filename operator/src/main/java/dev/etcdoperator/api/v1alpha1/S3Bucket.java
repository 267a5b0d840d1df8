package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** An S3 bucket and how to reach it: what backup destinations and restore sources have in common. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class S3Bucket {
  public static final String DEFAULT_REGION = "us-east-1";
  /** Keys of the credentials Secret. */
  public static final String ACCESS_KEY_ID = "accessKeyID";
  public static final String SECRET_ACCESS_KEY = "secretAccessKey";
  public static final String SESSION_TOKEN = "sessionToken";

  @Required
  @Pattern("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
  @Size(max = SchemaLimits.BUCKET_NAME)
  @JsonPropertyDescription("Bucket name.")
  private String bucket;

  @Default(DEFAULT_REGION)
  @Size(max = SchemaLimits.REGION)
  @JsonPropertyDescription("Region of the bucket (us-east-1 by default; S3-compatible stores usually accept any).")
  private String region = DEFAULT_REGION;

  @Pattern("^https?://[^\\s/]+(/.*)?$")
  @Size(max = SchemaLimits.URL)
  @JsonPropertyDescription("Endpoint of an S3-compatible store, e.g. https://minio.storage.svc:9000. Empty for AWS.")
  private String endpoint;

  @Default("false")
  @JsonPropertyDescription("Address the bucket in the path (https://endpoint/bucket/key) instead of the host name; "
      + "most S3-compatible stores need this.")
  private Boolean forcePathStyle = false;

  @JsonPropertyDescription("Secret in this namespace with the keys accessKeyID, secretAccessKey and optionally "
      + "sessionToken. Without it the default AWS credential chain applies (environment, web identity token for "
      + "IRSA, instance profile): the operator's for backups, the restore pods' for restores.")
  private SecretReference credentialsSecretRef;

  public String getBucket() {
    return bucket;
  }

  public void setBucket(String bucket) {
    this.bucket = bucket;
  }

  public String getRegion() {
    return region;
  }

  public void setRegion(String region) {
    this.region = region;
  }

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  public Boolean getForcePathStyle() {
    return forcePathStyle;
  }

  public void setForcePathStyle(Boolean forcePathStyle) {
    this.forcePathStyle = forcePathStyle;
  }

  public SecretReference getCredentialsSecretRef() {
    return credentialsSecretRef;
  }

  public void setCredentialsSecretRef(SecretReference credentialsSecretRef) {
    this.credentialsSecretRef = credentialsSecretRef;
  }

  /** A Secret in the same namespace. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SecretReference {
    @Required
    @Size(max = SchemaLimits.OBJECT_NAME)
    @JsonPropertyDescription("Name of the Secret.")
    private String name;

    public SecretReference() {}

    public SecretReference(String name) {
      this.name = name;
    }

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }
  }
}
