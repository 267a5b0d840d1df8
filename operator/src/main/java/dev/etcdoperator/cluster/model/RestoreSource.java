package dev.etcdoperator.cluster.model;

import dev.etcdoperator.api.v1alpha1.S3Bucket;
import java.util.Objects;

/** Where the snapshot of spec.bootstrap.restore is, or why it cannot be used (yet). */
public sealed interface RestoreSource {

  /** An object that exists, with the SHA-256 it must have. */
  record Located(S3Bucket bucket, String key, String sha256, long size) implements RestoreSource {
    public Located {
      Objects.requireNonNull(bucket, "bucket");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(sha256, "sha256");
    }

    public String location() {
      return "s3://" + bucket.getBucket() + "/" + key;
    }
  }

  /** Not usable yet, but may become so by itself (a backup still running, a Secret not applied yet). */
  record Pending(String message) implements RestoreSource {}

  /** Cannot be used as it is (no such object, no checksum, access denied): the user has to act. */
  record Unusable(String message) implements RestoreSource {}
}
