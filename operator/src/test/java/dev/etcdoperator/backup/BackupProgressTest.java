package dev.etcdoperator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdBackup;
import dev.etcdoperator.api.v1alpha1.EtcdBackupConditions;
import dev.etcdoperator.api.v1alpha1.EtcdBackupConditions.Reason;
import dev.etcdoperator.api.v1alpha1.EtcdBackupStatus;
import dev.etcdoperator.etcd.SnapshotSource;
import dev.etcdoperator.support.ConditionSet;
import io.fabric8.kubernetes.api.model.Condition;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The status an EtcdBackup goes through, under a fixed clock. */
class BackupProgressTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC);
  private static final BackupFailure UNREACHABLE = new BackupFailure(Reason.OBJECT_STORE_ERROR, "the store could "
      + "not be reached", true);

  @Test
  void retriesWaitTenSecondsDoublingUpToFiveMinutes() {
    assertThat(BackupProgress.retryDelay(1)).isEqualTo(Duration.ofSeconds(10));
    assertThat(BackupProgress.retryDelay(2)).isEqualTo(Duration.ofSeconds(20));
    assertThat(BackupProgress.retryDelay(4)).isEqualTo(Duration.ofSeconds(80));
    assertThat(BackupProgress.retryDelay(6)).isEqualTo(Duration.ofMinutes(5));
    assertThat(BackupProgress.retryDelay(60)).isEqualTo(Duration.ofMinutes(5));
  }

  /** A backup waiting on another is looked at every few seconds; its status is written when it changes only. */
  @Test
  void waitingIsWrittenOnceWhileItSaysTheSame() {
    EtcdBackup backup = new EtcdBackup();
    Optional<EtcdBackupStatus> first = new BackupProgress(backup, CLOCK).waitingChange(
        Reason.WAITING_FOR_OTHER_BACKUP, "another backup of cluster main is running");
    assertThat(first).isPresent();
    backup.setStatus(first.get());

    assertThat(new BackupProgress(backup, CLOCK).waitingChange(Reason.WAITING_FOR_OTHER_BACKUP,
        "another backup of cluster main is running")).as("already said").isEmpty();
    assertThat(new BackupProgress(backup, CLOCK).waitingChange(Reason.WAITING_FOR_OTHER_BACKUP,
        "another backup of cluster other is running")).as("says something else").isPresent();
  }

  @Test
  void aFailureThatMayPassIsRetriedUntilTheLastAttemptThenFails() {
    EtcdBackup backup = new EtcdBackup();
    for (int attempt = 1; attempt <= BackupProgress.MAX_ATTEMPTS; attempt++) {
      backup.setStatus(new BackupProgress(backup, CLOCK).attemptStarted());
      assertThat(backup.getStatus().getAttempts()).isEqualTo(attempt);
      assertThat(condition(backup.getStatus(), EtcdBackupConditions.PROGRESSING).getReason()).isEqualTo(
          Reason.UPLOADING);
      BackupProgress progress = new BackupProgress(backup, CLOCK);
      boolean retry = progress.willRetry(UNREACHABLE);
      backup.setStatus(progress.failed(UNREACHABLE));
      assertThat(retry).as("attempt %d", attempt).isEqualTo(attempt < BackupProgress.MAX_ATTEMPTS);
      assertThat(BackupProgress.finished(backup.getStatus())).isEqualTo(!retry);
    }
    EtcdBackupStatus status = backup.getStatus();
    assertThat(condition(status, EtcdBackupConditions.FAILED).getStatus()).isEqualTo("True");
    assertThat(condition(status, EtcdBackupConditions.FAILED).getReason()).isEqualTo(Reason.OBJECT_STORE_ERROR);
    assertThat(condition(status, EtcdBackupConditions.FAILED).getMessage())
        .isEqualTo("the store could not be reached (after 5 attempts)");
    assertThat(condition(status, EtcdBackupConditions.PROGRESSING).getStatus()).isEqualTo("False");
    assertThat(condition(status, EtcdBackupConditions.COMPLETE).getStatus()).isEqualTo("False");
    assertThat(status.getStartTime()).isEqualTo("2026-11-21T10:00:00Z");
    assertThat(status.getCompletionTime()).isEqualTo("2026-11-21T10:00:00Z");
  }

  @Test
  void aRefusalFailsAtOnce() {
    EtcdBackup backup = new EtcdBackup();
    backup.setStatus(new BackupProgress(backup, CLOCK).attemptStarted());
    BackupFailure missingBucket = new BackupFailure(Reason.OBJECT_STORE_ERROR, "bucket b does not exist", false);
    EtcdBackupStatus status = new BackupProgress(backup, CLOCK).failed(missingBucket);
    assertThat(BackupProgress.finished(status)).isTrue();
    assertThat(condition(status, EtcdBackupConditions.FAILED).getMessage()).isEqualTo("bucket b does not exist");
  }

  @Test
  void aRetryNamesTheAttemptTheReasonAndTheNextTry() {
    EtcdBackup backup = new EtcdBackup();
    backup.setStatus(new BackupProgress(backup, CLOCK).attemptStarted());
    backup.setStatus(new BackupProgress(backup, CLOCK).failed(UNREACHABLE));
    backup.setStatus(new BackupProgress(backup, CLOCK).attemptStarted());
    Condition progressing = condition(new BackupProgress(backup, CLOCK).failed(UNREACHABLE),
        EtcdBackupConditions.PROGRESSING);
    assertThat(progressing.getReason()).isEqualTo(Reason.RETRYING);
    assertThat(progressing.getMessage()).isEqualTo("attempt 2 of 5 failed (ObjectStoreError): the store could not "
        + "be reached; next attempt in 20 s");
  }

  @Test
  void completionRecordsWhereTheSnapshotIsAndWhatItHolds() {
    EtcdBackup backup = new EtcdBackup();
    backup.setStatus(new BackupProgress(backup, CLOCK).attemptStarted());
    SnapshotSource source = new SnapshotSource(URI.create("https://m-1:2379"), 7L, 0xabcL, 4242L, "3.5.21");
    SnapshotStreaming.Target target = new SnapshotStreaming.Target("b", "ns/c/x.db", Optional.empty());
    EtcdBackupStatus status = new BackupProgress(backup, CLOCK).completed(new BackupAttempt.Result(
        new SnapshotStreaming.StoredSnapshot(target, source, 1234L, "ff00", 1), "c-1"));
    assertThat(status.getLocation()).isEqualTo("s3://b/ns/c/x.db");
    assertThat(status.getSizeBytes()).isEqualTo(1234L);
    assertThat(status.getSha256()).isEqualTo("ff00");
    assertThat(status.getRevision()).isEqualTo(4242L);
    assertThat(status.getEtcdVersion()).isEqualTo("3.5.21");
    assertThat(status.getClusterID()).isEqualTo("abc");
    assertThat(status.getMember()).isEqualTo("c-1");
    assertThat(BackupProgress.finished(status)).isTrue();
    assertThat(condition(status, EtcdBackupConditions.COMPLETE).getReason()).isEqualTo(Reason.UPLOADED);
    assertThat(condition(status, EtcdBackupConditions.FAILED).getStatus()).isEqualTo("False");
  }

  private static Condition condition(EtcdBackupStatus status, String type) {
    return ConditionSet.find(status.getConditions(), type).orElseThrow();
  }
}
