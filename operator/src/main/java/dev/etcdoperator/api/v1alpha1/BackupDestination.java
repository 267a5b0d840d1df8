package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** Where snapshots are stored. Only S3 (and S3-compatible stores) for now; other stores would be siblings of s3. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupDestination {
  @Required
  @JsonPropertyDescription("An S3 bucket, on AWS or any S3-compatible store.")
  private S3Destination s3;

  public S3Destination getS3() {
    return s3;
  }

  public void setS3(S3Destination s3) {
    this.s3 = s3;
  }
}
