package dev.etcdoperator.objectstore;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The object store refused or could not be reached, said in words a user can act on (it goes into status). */
public final class ObjectStoreException extends RuntimeException {
  private final boolean retryable;

  ObjectStoreException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  /** Whether trying again later may help (the store was unreachable or busy), as opposed to a refusal. */
  public boolean retryable() {
    return retryable;
  }

  /** What went wrong with {@code what} (e.g. "upload of s3://b/k"). */
  static ObjectStoreException of(String what, String bucket, RuntimeException e) {
    if (e instanceof S3Exception s3) {
      String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
      int status = s3.statusCode();
      if ("NoSuchBucket".equals(code) || status == 404 && code == null) {
        return new ObjectStoreException(what + " failed: bucket " + bucket + " does not exist", false, e);
      }
      if (status == 403 || "InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code)) {
        return new ObjectStoreException(what + " failed: access to bucket " + bucket + " denied (" + code
            + "): check the credentials and the bucket policy", false, e);
      }
      boolean retryable = status >= 500 || status == 429;
      return new ObjectStoreException(what + " failed: the store answered " + status
          + (code == null ? "" : " " + code) + ": " + s3.getMessage(), retryable, e);
    }
    if (e instanceof SdkClientException && String.valueOf(e.getMessage()).contains("Unable to load credentials")) {
      return new ObjectStoreException(what + " failed: no AWS credentials: set s3.credentialsSecretRef, or give the "
          + "pod that talks to S3 an AWS identity (IRSA, EKS Pod Identity, instance profile)", false, e);
    }
    if (e instanceof SdkClientException) {
      return new ObjectStoreException(what + " failed: the store could not be reached: " + e.getMessage(), true, e);
    }
    return new ObjectStoreException(what + " failed: " + e, false, e);
  }
}
