package dev.etcdoperator.backup;

/**
 * Why an attempt to back up failed, with the condition reason that goes into status and whether another attempt
 * may succeed (etcd or the store unreachable) or not (a bucket that does not exist).
 */
final class BackupFailure extends RuntimeException {
  private final String reason;
  private final boolean retryable;

  BackupFailure(String reason, String message, boolean retryable) {
    super(message);
    this.reason = reason;
    this.retryable = retryable;
  }

  String reason() {
    return reason;
  }

  boolean retryable() {
    return retryable;
  }
}
