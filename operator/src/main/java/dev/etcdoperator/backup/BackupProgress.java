package dev.etcdoperator.backup;

import dev.etcdoperator.api.v1alpha1.EtcdBackup;
import dev.etcdoperator.api.v1alpha1.EtcdBackupConditions;
import dev.etcdoperator.api.v1alpha1.EtcdBackupConditions.Reason;
import dev.etcdoperator.api.v1alpha1.EtcdBackupStatus;
import dev.etcdoperator.support.ConditionSet;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * The status of an EtcdBackup at each step: an attempt starts, waits, succeeds, or fails and is retried a bounded
 * number of times with growing pauses before the backup fails for good. Pure: the status passed in is not changed.
 */
final class BackupProgress {
  static final int MAX_ATTEMPTS = 5;
  static final Duration FIRST_RETRY = Duration.ofSeconds(10);
  static final Duration LONGEST_RETRY = Duration.ofMinutes(5);

  private final EtcdBackup backup;
  private final Clock clock;

  BackupProgress(EtcdBackup backup, Clock clock) {
    this.backup = backup;
    this.clock = clock;
  }

  static boolean finished(EtcdBackupStatus status) {
    return status != null && (ConditionSet.isTrue(status.getConditions(), EtcdBackupConditions.COMPLETE)
        || ConditionSet.isTrue(status.getConditions(), EtcdBackupConditions.FAILED));
  }

  static int attempts(EtcdBackupStatus status) {
    return status == null || status.getAttempts() == null ? 0 : status.getAttempts();
  }

  /** The pause after the given number of failed attempts: 10 s, doubling, at most 5 min. */
  static Duration retryDelay(int failedAttempts) {
    Duration delay = FIRST_RETRY.multipliedBy(1L << Math.min(Math.max(failedAttempts - 1, 0), 10));
    return delay.compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : delay;
  }

  EtcdBackupStatus attemptStarted() {
    EtcdBackupStatus next = copy();
    int attempt = attempts(next) + 1;
    next.setAttempts(attempt);
    if (next.getStartTime() == null) {
      next.setStartTime(now());
    }
    return withConditions(next, true, Reason.UPLOADING, "streaming a snapshot to the bucket (attempt " + attempt
        + " of " + MAX_ATTEMPTS + ")", null);
  }

  /** Not started: another backup of the same cluster runs. Counts no attempt. */
  EtcdBackupStatus waiting(String reason, String message) {
    return withConditions(copy(), true, reason, message, null);
  }

  /**
   * The status that says it waits, unless the backup's status says so already: a backup waiting on another is looked
   * at every few seconds, and writing the same status each time would load the API server for nothing.
   */
  Optional<EtcdBackupStatus> waitingChange(String reason, String message) {
    boolean said = ConditionSet.find(Optional.ofNullable(backup.getStatus()).map(EtcdBackupStatus::getConditions)
        .orElse(List.of()), EtcdBackupConditions.PROGRESSING).filter(c -> "True".equals(c.getStatus())
            && reason.equals(c.getReason()) && message.equals(c.getMessage())).isPresent();
    return said ? Optional.empty() : Optional.of(waiting(reason, message));
  }

  EtcdBackupStatus completed(BackupAttempt.Result result) {
    EtcdBackupStatus next = copy();
    SnapshotStreaming.StoredSnapshot snapshot = result.snapshot();
    next.setMember(result.member());
    next.setLocation(snapshot.target().location());
    next.setSizeBytes(snapshot.sizeBytes());
    next.setSha256(snapshot.sha256());
    next.setRevision(snapshot.source().revision());
    next.setEtcdVersion(snapshot.source().etcdVersion());
    next.setClusterID(snapshot.source().clusterIdHex());
    next.setCompletionTime(now());
    return withConditions(next, false, Reason.DONE, "the snapshot is complete", new Outcome(true, Reason.UPLOADED,
        "snapshot of revision " + snapshot.source().revision() + " from " + result.member() + " is at "
            + snapshot.target().location() + " (" + snapshot.sizeBytes() + " bytes, sha256 " + snapshot.sha256()
            + ")"));
  }

  /** After a failed attempt: retried later when it may pass and attempts remain, else failed for good. */
  EtcdBackupStatus failed(BackupFailure failure) {
    EtcdBackupStatus next = copy();
    int attempts = attempts(next);
    if (willRetry(failure)) {
      return withConditions(next, true, Reason.RETRYING, "attempt " + attempts + " of " + MAX_ATTEMPTS
          + " failed (" + failure.reason() + "): " + failure.getMessage() + "; next attempt in "
          + retryDelay(attempts).toSeconds() + " s", null);
    }
    next.setCompletionTime(now());
    String message = failure.retryable() ? failure.getMessage() + " (after " + attempts + " attempts)"
        : failure.getMessage();
    return withConditions(next, false, Reason.DONE, "the backup failed", new Outcome(false, failure.reason(),
        message));
  }

  boolean willRetry(BackupFailure failure) {
    return failure.retryable() && attempts(backup.getStatus()) < MAX_ATTEMPTS;
  }

  private record Outcome(boolean complete, String reason, String message) {}

  private EtcdBackupStatus withConditions(EtcdBackupStatus next, boolean progressing, String reason, String message,
      Outcome outcome) {
    long generation = Optional.ofNullable(backup.getMetadata().getGeneration()).orElse(0L);
    ConditionSet conditions = new ConditionSet(next.getConditions(), generation, clock)
        .set(EtcdBackupConditions.PROGRESSING, progressing, reason, message);
    boolean complete = outcome != null && outcome.complete();
    boolean failed = outcome != null && !outcome.complete();
    conditions.set(EtcdBackupConditions.COMPLETE, complete, complete ? outcome.reason() : Reason.PENDING,
        complete ? outcome.message() : "no complete snapshot yet");
    conditions.set(EtcdBackupConditions.FAILED, failed, failed ? outcome.reason() : Reason.PENDING,
        failed ? outcome.message() : "not failed");
    next.setConditions(conditions.build());
    next.setObservedGeneration(generation);
    return next;
  }

  private EtcdBackupStatus copy() {
    EtcdBackupStatus from = Optional.ofNullable(backup.getStatus()).orElseGet(EtcdBackupStatus::new);
    EtcdBackupStatus to = new EtcdBackupStatus();
    to.setObservedGeneration(from.getObservedGeneration());
    to.setConditions(from.getConditions());
    to.setStartTime(from.getStartTime());
    to.setCompletionTime(from.getCompletionTime());
    to.setAttempts(from.getAttempts());
    to.setMember(from.getMember());
    to.setLocation(from.getLocation());
    to.setSizeBytes(from.getSizeBytes());
    to.setSha256(from.getSha256());
    to.setRevision(from.getRevision());
    to.setEtcdVersion(from.getEtcdVersion());
    to.setClusterID(from.getClusterID());
    return to;
  }

  private String now() {
    return DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
  }
}
