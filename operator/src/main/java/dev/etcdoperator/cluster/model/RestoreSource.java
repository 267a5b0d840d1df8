package dev.etcdoperator.cluster.model;

import dev.etcdoperator.api.v1alpha1.S3Bucket;
import java.util.Objects;
import java.util.Optional;

/** Where the snapshot of spec.bootstrap.restore is, or why it cannot be used (yet). */
public sealed interface RestoreSource {

  /**
   * An object that exists, with the SHA-256 recorded for it, if any (every etcd snapshot also carries the hash of its
   * database at its end, which the restore checks in any case).
   */
  record Located(S3Bucket bucket, String key, Optional<String> sha256, long size) implements RestoreSource {
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

  /** Cannot be used as it is (no such object, access denied): the user has to act. */
  record Unusable(String message) implements RestoreSource {}
}
