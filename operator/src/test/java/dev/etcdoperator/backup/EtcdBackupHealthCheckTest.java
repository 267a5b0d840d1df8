package dev.etcdoperator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdBackup;
import dev.etcdoperator.api.v1alpha1.EtcdBackupConditions.Reason;
import dev.etcdoperator.api.v1alpha1.EtcdBackupStatus;
import dev.etcdoperator.deploy.LuaHealthCheck;
import dev.etcdoperator.deploy.LuaHealthCheck.Health;
import dev.etcdoperator.etcd.SnapshotSource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.lang.reflect.Field;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * deploy/argocd's EtcdBackup health check on statuses the backup reconciler's own {@link BackupProgress} writes:
 * Progressing while it runs or retries, Healthy when Complete, Degraded when Failed, for every reason it has.
 */
class EtcdBackupHealthCheckTest {
  private static final LuaHealthCheck CHECK = LuaHealthCheck.of("etcdoperator.dev", "EtcdBackup");
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-01T10:00:00Z"), ZoneOffset.UTC);
  /** Reasons on the Progressing or Complete/Failed placeholders, and the success reason: not failure reasons. */
  private static final Set<String> NOT_FAILURES = Set.of(Reason.PENDING, Reason.UPLOADING, Reason.RETRYING,
      Reason.WAITING_FOR_OTHER_BACKUP, Reason.UPLOADED, Reason.DONE);

  @Test
  void aNewBackupAndOneUnderWayAreProgressing() {
    assertThat(CHECK.run(backup()).status()).isEqualTo("Progressing");
    EtcdBackup started = backup();
    started.setStatus(new BackupProgress(started, CLOCK).attemptStarted());
    assertThat(CHECK.run(started).status()).isEqualTo("Progressing");
    EtcdBackup waiting = backup();
    waiting.setStatus(new BackupProgress(waiting, CLOCK).waiting(Reason.WAITING_FOR_OTHER_BACKUP, "main-1 runs"));
    assertThat(CHECK.run(waiting)).isEqualTo(new Health("Progressing", "WaitingForOtherBackup: main-1 runs"));
  }

  @Test
  void aCompleteSnapshotIsHealthy() {
    EtcdBackup backup = backup();
    backup.setStatus(new BackupProgress(backup, CLOCK).attemptStarted());
    SnapshotSource source = new SnapshotSource(URI.create("https://main-1:2379"), 7L, 0xabcL, 4242L, "3.5.21");
    SnapshotStreaming.Target target = new SnapshotStreaming.Target("backups", "db/main/x.db", Optional.empty());
    backup.setStatus(new BackupProgress(backup, CLOCK).completed(new BackupAttempt.Result(
        new SnapshotStreaming.StoredSnapshot(target, source, 1234L, "ff00", 1), "main-1")));
    assertThat(CHECK.run(backup)).isEqualTo(new Health("Healthy", "Snapshot complete: s3://backups/db/main/x.db"));
  }

  @Test
  void everyFailureReasonIsDegradedOnceNoAttemptRemainsAndProgressingWhileRetried() throws IllegalAccessException {
    Set<String> failures = new TreeSet<>(reasons());
    failures.removeAll(NOT_FAILURES);
    assertThat(failures).contains(Reason.CREDENTIALS_NOT_FOUND, Reason.OBJECT_STORE_ERROR, Reason.ATTEMPT_ERROR);
    for (String reason : failures) {
      EtcdBackup backup = backup();
      backup.setStatus(new BackupProgress(backup, CLOCK).attemptStarted());
      backup.setStatus(new BackupProgress(backup, CLOCK).failed(new BackupFailure(reason, "it failed", false)));
      assertThat(CHECK.run(backup)).as(reason).isEqualTo(new Health("Degraded", reason + ": it failed"));

      EtcdBackup retried = backup();
      retried.setStatus(new BackupProgress(retried, CLOCK).attemptStarted());
      retried.setStatus(new BackupProgress(retried, CLOCK).failed(new BackupFailure(reason, "it failed", true)));
      assertThat(CHECK.run(retried).status()).as(reason + ", retried").isEqualTo("Progressing");
    }
  }

  private static EtcdBackup backup() {
    EtcdBackup backup = new EtcdBackup();
    backup.setMetadata(new ObjectMetaBuilder().withName("main-20261101").withNamespace("db").withGeneration(1L)
        .build());
    return backup;
  }

  private static List<String> reasons() throws IllegalAccessException {
    List<String> values = new ArrayList<>();
    for (Field field : Reason.class.getDeclaredFields()) {
      if (field.getType() == String.class) {
        values.add((String) field.get(null));
      }
    }
    return values;
  }
}
