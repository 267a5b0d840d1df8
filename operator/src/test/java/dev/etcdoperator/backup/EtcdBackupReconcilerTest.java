package dev.etcdoperator.backup;

import dev.etcdoperator.testing.S3ProxyServer;
import static dev.etcdoperator.testing.OperatorTestEnvironment.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.access.OperatorClientFiles;
import dev.etcdoperator.access.OperatorClientSecret;
import dev.etcdoperator.api.v1alpha1.BackupDestination;
import dev.etcdoperator.api.v1alpha1.BackupScheduleSpec;
import dev.etcdoperator.api.v1alpha1.BackupScheduleStatus;
import dev.etcdoperator.api.v1alpha1.ClusterReference;
import dev.etcdoperator.api.v1alpha1.EtcdBackup;
import dev.etcdoperator.api.v1alpha1.EtcdBackupConditions;
import dev.etcdoperator.api.v1alpha1.EtcdBackupSpec;
import dev.etcdoperator.api.v1alpha1.EtcdBackupStatus;
import dev.etcdoperator.api.v1alpha1.MemberStatus;
import dev.etcdoperator.api.v1alpha1.S3Destination;
import dev.etcdoperator.etcd.EtcdClient;
import dev.etcdoperator.resources.ClusterLabels;
import dev.etcdoperator.etcd.EtcdConnection;
import dev.etcdoperator.support.ConditionSet;
import dev.etcdoperator.testing.OperatorTestEnvironment;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator backs up a real three-member TLS cluster into a real S3 server (S3Proxy): what a user checks is
 * the EtcdBackup's status (conditions, location, size, SHA-256, revision), the object in the bucket, and Events.
 */
class EtcdBackupReconcilerTest {
  private static final String NAMESPACE = "backups";
  private static final String CLUSTER = "main";
  private static final String SCHEDULED = "nightly-ish";
  private static final String UPGRADED = "upgraded";
  private static final String BACKUP_SCHEDULED_EVENT = "BackupScheduled";
  private static final String BACKUP_EXPIRED_EVENT = "BackupDeletedByRetention";
  private static final String BUCKET = "etcd-backups";
  private static final String CREDENTIALS = "s3-credentials";
  private static final int KEYS = 2_000;
  private static OperatorTestEnvironment env;
  private static S3ProxyServer s3;
  private static long revisionAfterWrites;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    s3 = new S3ProxyServer();
    s3.createBucket(BUCKET);
    env = new OperatorTestEnvironment(NAMESPACE);
    env.create(CLUSTER, c -> {});
    await().atMost(WAIT).until(() -> env.get(StatefulSet.class, CLUSTER) != null);
    env.etcd().put(CLUSTER, env.tlsMembers(CLUSTER, 3, dir).start());
    for (int i = 0; i < 3; i++) {
      env.runReadyPod(CLUSTER, i);
    }
    await().atMost(WAIT).until(() -> ConditionSet.isTrue(env.status(CLUSTER).getConditions(), "Ready"));
    // Written with the operator's own client certificate, as any TLS client of the cluster would.
    Secret operatorClient = env.get(Secret.class, OperatorClientSecret.nameFor(env.resource(CLUSTER).get()).get());
    try (EtcdClient client = EtcdClient.connect(EtcdConnection.withTls(env.etcd().get(CLUSTER).clientUrls(),
        Duration.ofSeconds(5), new OperatorClientFiles(dir.resolve("client")).write(NAMESPACE, CLUSTER,
            OperatorClientSecret.pems(operatorClient))))) {
      for (int i = 0; i < KEYS; i++) {
        client.put(String.format("/data/%05d", i), "value-" + i);
      }
      revisionAfterWrites = client.snapshotSource(env.etcd().get(CLUSTER).clientUrl(0)).revision();
    }
    env.client().secrets().inNamespace(NAMESPACE).resource(S3ProxyServer.credentialsSecret(CREDENTIALS)).create();
  }

  @AfterAll
  static void stop() throws Exception {
    if (env != null) {
      env.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void aBackupOfATlsClusterLandsInTheBucketWithItsChecksumSizeAndRevision() throws Exception {
    create("nightly", d -> {});
    EtcdBackupStatus status = awaitCondition("nightly", EtcdBackupConditions.COMPLETE, "True");

    String key = status.getLocation().substring(("s3://" + BUCKET + "/").length());
    assertThat(key).isEqualTo(NAMESPACE + "/" + CLUSTER + "/" + status.getStartTime().replace("-", "")
        .replace(":", "") + "-nightly.db");
    byte[] stored = s3.read(BUCKET, key);
    assertThat(status.getSizeBytes()).isEqualTo(stored.length);
    assertThat(status.getSha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(stored)));
    assertThat(status.getRevision()).isGreaterThanOrEqualTo(revisionAfterWrites);
    assertThat(status.getEtcdVersion()).startsWith("3.4.");
    assertThat(status.getClusterID()).isEqualTo(env.status(CLUSTER).getClusterID());
    assertThat(status.getAttempts()).isEqualTo(1);
    assertThat(status.getStartTime()).isNotNull();
    assertThat(status.getCompletionTime()).isNotNull();
    String leader = env.status(CLUSTER).getMembers().stream().filter(m -> Boolean.TRUE.equals(m.getLeader()))
        .map(MemberStatus::getName).findFirst().orElseThrow();
    assertThat(status.getMember()).as("a follower serves the snapshot").isNotEqualTo(leader).startsWith(CLUSTER);
    assertThat(condition(status, EtcdBackupConditions.PROGRESSING).getStatus()).isEqualTo("False");
    assertThat(condition(status, EtcdBackupConditions.FAILED).getStatus()).isEqualTo("False");
    assertThat(s3.keys(BUCKET, NAMESPACE + "/")).contains(key);
    assertThat(reasons("nightly")).containsExactly(EtcdBackupReconciler.BACKUP_COMPLETED);
  }

  @Test
  void aMissingBucketFailsAtOnceWithAPreciseMessage() {
    create("no-bucket", d -> d.setBucket("no-such-bucket"));
    EtcdBackupStatus status = awaitCondition("no-bucket", EtcdBackupConditions.FAILED, "True");
    Condition failed = condition(status, EtcdBackupConditions.FAILED);
    assertThat(failed.getReason()).isEqualTo(EtcdBackupConditions.Reason.OBJECT_STORE_ERROR);
    assertThat(failed.getMessage()).isEqualTo("listing the uploads under s3://no-such-bucket/" + NAMESPACE + "/"
        + CLUSTER + "/ failed: bucket no-such-bucket does not exist");
    assertThat(status.getAttempts()).as("a missing bucket is not retried").isEqualTo(1);
    assertThat(status.getLocation()).isNull();
    assertThat(reasons("no-bucket")).containsExactly(EtcdBackupReconciler.BACKUP_FAILED);
  }

  @Test
  void wrongCredentialsFailWithoutRetry() {
    env.client().secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata()
        .withName("wrong").endMetadata().addToStringData(S3Destination.ACCESS_KEY_ID, "nobody")
        .addToStringData(S3Destination.SECRET_ACCESS_KEY, "nothing").build()).create();
    create("wrong-key", d -> d.setCredentialsSecretRef(new S3Destination.SecretReference("wrong")));
    Condition failed = condition(awaitCondition("wrong-key", EtcdBackupConditions.FAILED, "True"),
        EtcdBackupConditions.FAILED);
    assertThat(failed.getMessage()).endsWith("failed: access to bucket " + BUCKET + " denied (InvalidAccessKeyId): "
        + "check the credentials and the bucket policy");
    assertThat(failed.getMessage()).doesNotContain("nothing");
  }

  @Test
  void aMissingCredentialsSecretIsRetriedUntilItAppears() {
    create("late-secret", d -> d.setCredentialsSecretRef(new S3Destination.SecretReference("late")));
    EtcdBackupStatus retrying = awaitReason("late-secret", EtcdBackupConditions.Reason.RETRYING);
    assertThat(condition(retrying, EtcdBackupConditions.PROGRESSING).getMessage())
        .startsWith("attempt 1 of 5 failed (CredentialsNotFound): credentials Secret late does not exist; "
            + "next attempt in 10 s");
    env.client().secrets().inNamespace(NAMESPACE).resource(S3ProxyServer.credentialsSecret("late")).create();
    EtcdBackupStatus done = awaitCondition("late-secret", EtcdBackupConditions.COMPLETE, "True");
    assertThat(done.getAttempts()).isEqualTo(2);
    assertThat(reasons("late-secret")).containsExactly(EtcdBackupReconciler.BACKUP_ATTEMPT_FAILED,
        EtcdBackupReconciler.BACKUP_COMPLETED);
  }

  @Test
  void anUnreachableStoreIsRetried() {
    create("unreachable", d -> d.setEndpoint("http://127.0.0.1:1"));
    EtcdBackupStatus retrying = awaitReason("unreachable", EtcdBackupConditions.Reason.RETRYING);
    assertThat(condition(retrying, EtcdBackupConditions.PROGRESSING).getMessage())
        .startsWith("attempt 1 of 5 failed (ObjectStoreError): ")
        .contains("the store could not be reached");
    assertThat(condition(retrying, EtcdBackupConditions.FAILED).getStatus()).isEqualTo("False");
  }

  @Test
  void aBackupOfAClusterThatDoesNotExistSaysSo() {
    EtcdBackup backup = backup("orphan", d -> {});
    backup.getSpec().setClusterRef(new ClusterReference("absent"));
    env.client().resources(EtcdBackup.class).inNamespace(NAMESPACE).resource(backup).create();
    EtcdBackupStatus retrying = awaitReason("orphan", EtcdBackupConditions.Reason.RETRYING);
    assertThat(condition(retrying, EtcdBackupConditions.PROGRESSING).getMessage())
        .startsWith("attempt 1 of 5 failed (ClusterNotFound): EtcdCluster absent does not exist");
  }

  @Test
  void deletionPolicyDecidesWhetherTheSnapshotGoesWithTheObject() {
    create("kept", d -> {});
    EtcdBackup deleted = backup("deleted", d -> {});
    deleted.getSpec().setDeletionPolicy(EtcdBackupSpec.DeletionPolicy.Delete);
    env.client().resources(EtcdBackup.class).inNamespace(NAMESPACE).resource(deleted).create();
    String keptKey = key(awaitCondition("kept", EtcdBackupConditions.COMPLETE, "True"));
    String deletedKey = key(awaitCondition("deleted", EtcdBackupConditions.COMPLETE, "True"));

    env.client().resources(EtcdBackup.class).inNamespace(NAMESPACE).withName("kept").delete();
    env.client().resources(EtcdBackup.class).inNamespace(NAMESPACE).withName("deleted").delete();
    await().atMost(WAIT).until(() -> env.get(EtcdBackup.class, "kept") == null
        && env.get(EtcdBackup.class, "deleted") == null);
    assertThat(s3.keys(BUCKET, NAMESPACE + "/")).contains(keptKey).doesNotContain(deletedKey);
    assertThat(reasons("deleted")).contains(EtcdBackupReconciler.SNAPSHOT_DELETED);
  }

  /**
   * A schedule of every minute with retention of one: the first scheduled backup completes, the next one replaces it
   * (object and snapshot), and the cluster's status follows. Real time: about two minutes.
   */
  /** Backups exist for the disaster of a namespace deleted with everything in it: their snapshots stay. */
  @Test
  void aSnapshotIsNeverDeletedWithItsNamespace() {
    String doomed = "doomed";
    env.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(doomed)
        .withFinalizers("example.dev/hold").endMetadata().build()).create();
    EtcdBackup backup = backup("in-doomed", d -> d.setCredentialsSecretRef(null));
    backup.getMetadata().setNamespace(doomed);
    backup.getSpec().setClusterRef(new ClusterReference("nowhere"));
    backup.getSpec().setDeletionPolicy(EtcdBackupSpec.DeletionPolicy.Delete);
    String key = doomed + "/nowhere/snapshot.db";
    completeWithSnapshot(backup, key);

    env.client().namespaces().withName(doomed).delete();
    await().atMost(WAIT).until(() -> env.client().namespaces().withName(doomed).get().getMetadata()
        .getDeletionTimestamp() != null);
    env.client().resources(EtcdBackup.class).inNamespace(doomed).withName("in-doomed").delete();

    await().atMost(WAIT).until(() -> env.client().resources(EtcdBackup.class).inNamespace(doomed)
        .withName("in-doomed").get() == null);
    assertThat(s3.keys(BUCKET, doomed + "/")).containsExactly(key);
    assertThat(env.client().v1().events().inNamespace(doomed).list().getItems()).extracting(Event::getReason)
        .contains(EtcdBackupReconciler.SNAPSHOT_KEPT);
  }

  /** Credentials gone with their Secret do not come back: the snapshot is reported and kept, the object goes. */
  @Test
  void aBackupWhoseCredentialsAreGoneIsNotHeldForever() {
    EtcdBackup backup = backup("orphaned", d -> d.setCredentialsSecretRef(
        new S3Destination.SecretReference("deleted-credentials")));
    backup.getSpec().setClusterRef(new ClusterReference("nowhere"));
    backup.getSpec().setDeletionPolicy(EtcdBackupSpec.DeletionPolicy.Delete);
    String key = NAMESPACE + "/nowhere/orphaned.db";
    completeWithSnapshot(backup, key);

    env.client().resources(EtcdBackup.class).inNamespace(NAMESPACE).withName("orphaned").delete();

    await().atMost(WAIT).until(() -> env.get(EtcdBackup.class, "orphaned") == null);
    assertThat(s3.keys(BUCKET, NAMESPACE + "/nowhere/")).containsExactly(key);
    assertThat(reasons("orphaned")).contains(EtcdBackupReconciler.SNAPSHOT_NOT_DELETED);
  }

  /**
   * Creates {@code backup} (of a cluster that does not exist, so no attempt can complete it) and, once its first
   * attempt has failed, marks it complete at {@code key}, where a snapshot is put.
   */
  private static void completeWithSnapshot(EtcdBackup backup, String key) {
    String ns = backup.getMetadata().getNamespace();
    s3.put(BUCKET, key, "a snapshot".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    env.client().resources(EtcdBackup.class).inNamespace(ns).resource(backup).create();
    var live = env.client().resources(EtcdBackup.class).inNamespace(ns).withName(backup.getMetadata().getName());
    await().atMost(WAIT).until(() -> live.get().getStatus() != null && ConditionSet.find(
        live.get().getStatus().getConditions(), EtcdBackupConditions.PROGRESSING)
        .filter(c -> c.getMessage().contains("(ClusterNotFound)")).isPresent());
    EtcdBackup complete = live.get();
    complete.getStatus().setConditions(List.of(new ConditionBuilder().withType(EtcdBackupConditions.COMPLETE)
        .withStatus("True").withReason("SnapshotUploaded").withMessage("done")
        .withLastTransitionTime("2026-12-01T00:00:00Z").build()));
    complete.getStatus().setLocation("s3://" + BUCKET + "/" + key);
    live.updateStatus(complete);
    await().atMost(WAIT).until(() -> ("s3://" + BUCKET + "/" + key).equals(live.get().getStatus().getLocation()));
  }

  @Test
  void aScheduleBacksUpAtEachScheduledTimeAndRetentionDeletesTheOlderSnapshots(@TempDir Path dir) {
    env.create(SCHEDULED, c -> c.getSpec().setReplicas(1));
    await().atMost(WAIT).until(() -> env.get(StatefulSet.class, SCHEDULED) != null);
    env.etcd().put(SCHEDULED, env.tlsMembers(SCHEDULED, 1, dir).start());
    env.runReadyPod(SCHEDULED, 0);
    await().atMost(WAIT).until(() -> ConditionSet.isTrue(env.status(SCHEDULED).getConditions(), "Ready"));
    env.editSpec(SCHEDULED, c -> {
      BackupScheduleSpec schedule = new BackupScheduleSpec();
      schedule.setSchedule("* * * * *");
      schedule.setDestination(backup("unused", d -> {}).getSpec().getDestination());
      schedule.setRetention(new BackupScheduleSpec.Retention());
      schedule.getRetention().setKeepLast(1);
      c.getSpec().setBackup(schedule);
      return c;
    });

    EtcdBackup first = awaitScheduledBackup(null);
    String firstKey = key(first.getStatus());
    assertThat(first.getMetadata().getName()).matches(SCHEDULED + "-\\d{12}");
    assertThat(first.getSpec().getDeletionPolicy()).as("only retention deletes its snapshot").isEqualTo(EtcdBackupSpec.DeletionPolicy.Retain);
    assertThat(first.getMetadata().getOwnerReferences()).as("backups outlive their cluster").isNullOrEmpty();
    assertThat(s3.keys(BUCKET, NAMESPACE + "/" + SCHEDULED + "/")).containsExactly(firstKey);

    EtcdBackup second = awaitScheduledBackup(first.getMetadata().getName());
    await("retention deletes " + first.getMetadata().getName()).atMost(WAIT)
        .until(() -> env.get(EtcdBackup.class, first.getMetadata().getName()) == null);
    assertThat(s3.keys(BUCKET, NAMESPACE + "/" + SCHEDULED + "/")).containsExactly(key(second.getStatus()));
    await().atMost(WAIT).untilAsserted(() -> {
      BackupScheduleStatus status = env.status(SCHEDULED).getBackup();
      assertThat(status.getLastSuccessfulBackup()).as("the cluster as it is: %s",
          env.client().getKubernetesSerialization().asJson(env.resource(SCHEDULED).get())).isEqualTo(second.getMetadata().getName());
      assertThat(status.getLastBackup()).isEqualTo(second.getMetadata().getName());
      assertThat(Instant.parse(status.getNextScheduleTime()))
          .isAfter(Instant.parse(status.getLastScheduleTime()));
      Condition ready = ConditionSet.find(env.status(SCHEDULED).getConditions(), "BackupReady").orElseThrow();
      assertThat(ready.getStatus()).isEqualTo("True");
      assertThat(ready.getReason()).isEqualTo("LastBackupSucceeded");
      assertThat(ready.getMessage()).isEqualTo("scheduled backup " + second.getMetadata().getName() + " is at "
          + second.getStatus().getLocation());
    });
    assertThat(reasons(SCHEDULED)).contains(BACKUP_SCHEDULED_EVENT, BACKUP_EXPIRED_EVENT);
    env.editSpec(SCHEDULED, c -> {
      c.getSpec().setBackup(null);
      return c;
    });
  }

  /**
   * A minor upgrade of a cluster with a backup destination: before the first member restarts on the new minor, a
   * snapshot is taken and kept; the restart waits for it.
   */
  @Test
  void aMinorUpgradeWaitsForASnapshotBeforeTheFirstRestart(@TempDir Path dir) {
    env.create(UPGRADED, c -> {
      c.getSpec().setReplicas(1);
      BackupScheduleSpec backup = new BackupScheduleSpec();
      backup.setSchedule("0 3 1 1 *");
      backup.setDestination(backup("unused", d -> {}).getSpec().getDestination());
      c.getSpec().setBackup(backup);
    });
    await().atMost(WAIT).until(() -> env.get(StatefulSet.class, UPGRADED) != null);
    env.etcd().put(UPGRADED, env.tlsMembers(UPGRADED, 1, dir).start());
    env.runReadyPod(UPGRADED, 0);
    await().atMost(WAIT).until(() -> "3.4.23".equals(env.status(UPGRADED).getCurrentVersion())
        && ConditionSet.isTrue(env.status(UPGRADED).getConditions(), "Ready"));
    String podBefore = env.get(Pod.class, UPGRADED + "-0").getMetadata().getUid();
    // An earlier cluster of the same name left its own pre-upgrade snapshot behind.
    String snapshot = UPGRADED + "-before-v3.5.21";
    EtcdBackup earlier = backup(snapshot, d -> {});
    earlier.getSpec().setClusterRef(new ClusterReference("gone"));
    earlier.getMetadata().setLabels(new ClusterLabels(UPGRADED).forOwnedObjects());
    completeWithSnapshot(earlier, NAMESPACE + "/" + UPGRADED + "/20250101T000000Z-" + snapshot + ".db");
    var stale = env.client().resources(EtcdBackup.class).inNamespace(NAMESPACE).withName(snapshot);
    EtcdBackup withForeignId = stale.get();
    withForeignId.getStatus().setClusterID("bad0bad0bad0bad0");
    stale.updateStatus(withForeignId);

    env.editSpec(UPGRADED, c -> {
      c.getSpec().setVersion("3.5.21");
      return c;
    });
    // The mock API server runs no StatefulSet controller: report the new template as the update revision.
    await().atMost(WAIT).until(() -> env.get(StatefulSet.class, UPGRADED).getSpec().getTemplate().getSpec()
        .getContainers().get(0).getImage().endsWith("v3.5.21"));
    StatefulSet sts = env.get(StatefulSet.class, UPGRADED);
    sts.setStatus(new StatefulSetStatusBuilder().withObservedGeneration(sts.getMetadata().getGeneration())
        .withUpdateRevision(UPGRADED + "-new").withCurrentRevision(UPGRADED + "-old").withReplicas(1).build());
    env.client().apps().statefulSets().inNamespace(NAMESPACE).resource(sts).updateStatus();

    await("the rollout stops at the other cluster's snapshot").atMost(WAIT).until(() -> ConditionSet.find(
        env.status(UPGRADED).getConditions(), "Degraded").filter(c -> "True".equals(c.getStatus())
            && c.getMessage().startsWith("EtcdBackup " + snapshot + " holds a snapshot of etcd cluster "
                + "bad0bad0bad0bad0, not of this one")).isPresent());
    assertThat(env.get(Pod.class, UPGRADED + "-0").getMetadata().getUid()).as("no member restarted")
        .isEqualTo(podBefore);
    String staleUid = stale.get().getMetadata().getUid();
    stale.delete();
    await("a new snapshot taken in its place").atMost(WAIT)
        .until(() -> stale.get() != null && !staleUid.equals(stale.get().getMetadata().getUid()));

    EtcdBackupStatus taken = awaitCondition(snapshot, EtcdBackupConditions.COMPLETE, "True");
    assertThat(taken.getEtcdVersion()).as("taken from the members before the upgrade").isEqualTo("3.4.23");
    assertThat(env.get(EtcdBackup.class, snapshot).getSpec().getDeletionPolicy())
        .isEqualTo(EtcdBackupSpec.DeletionPolicy.Retain);
    await("the first member restarts after the snapshot").atMost(WAIT).until(() -> {
      Pod pod = env.get(Pod.class, UPGRADED + "-0");
      return pod == null || !podBefore.equals(pod.getMetadata().getUid());
    });
    assertThat(reasons(UPGRADED)).contains("UpgradeSnapshotTaken", "MemberRestarted")
        .doesNotContain("MinorUpgradeWithoutSnapshot");
  }

  /** The first complete scheduled backup of cluster SCHEDULED other than {@code other}. */
  private static EtcdBackup awaitScheduledBackup(String other) {
    await("a scheduled backup other than " + other).atMost(Duration.ofSeconds(150)).until(() -> scheduled().stream()
        .anyMatch(b -> !b.getMetadata().getName().equals(other) && complete(b)));
    return scheduled().stream().filter(b -> !b.getMetadata().getName().equals(other) && complete(b)).findFirst()
        .orElseThrow();
  }

  private static List<EtcdBackup> scheduled() {
    return env.client().resources(EtcdBackup.class).inNamespace(NAMESPACE)
        .withLabel("app.kubernetes.io/instance", SCHEDULED).list().getItems();
  }

  private static boolean complete(EtcdBackup backup) {
    return backup.getStatus() != null
        && ConditionSet.isTrue(backup.getStatus().getConditions(), EtcdBackupConditions.COMPLETE);
  }

  private static String key(EtcdBackupStatus status) {
    return status.getLocation().substring(("s3://" + BUCKET + "/").length());
  }

  private static EtcdBackup backup(String name, Consumer<S3Destination> destination) {
    S3Destination s3Destination = new S3Destination();
    s3Destination.setBucket(BUCKET);
    s3Destination.setEndpoint(s3.endpoint().toString());
    s3Destination.setForcePathStyle(true);
    s3Destination.setCredentialsSecretRef(new S3Destination.SecretReference(CREDENTIALS));
    destination.accept(s3Destination);
    EtcdBackup backup = new EtcdBackup();
    backup.getMetadata().setName(name);
    backup.getMetadata().setNamespace(NAMESPACE);
    backup.setSpec(new EtcdBackupSpec());
    backup.getSpec().setClusterRef(new ClusterReference(CLUSTER));
    BackupDestination target = new BackupDestination();
    target.setS3(s3Destination);
    backup.getSpec().setDestination(target);
    return backup;
  }

  private static void create(String name, Consumer<S3Destination> destination) {
    env.client().resources(EtcdBackup.class).inNamespace(NAMESPACE).resource(backup(name, destination)).create();
  }

  private static EtcdBackupStatus awaitCondition(String name, String type, String status) {
    await(name + " " + type + "=" + status).atMost(Duration.ofMinutes(1)).until(() -> {
      EtcdBackup backup = env.get(EtcdBackup.class, name);
      return backup != null && backup.getStatus() != null && ConditionSet.find(backup.getStatus().getConditions(), type)
          .filter(c -> status.equals(c.getStatus())).isPresent();
    });
    return env.get(EtcdBackup.class, name).getStatus();
  }

  private static EtcdBackupStatus awaitReason(String name, String reason) {
    await(name + " " + reason).atMost(Duration.ofMinutes(1)).until(() -> {
      EtcdBackup backup = env.get(EtcdBackup.class, name);
      return backup != null && backup.getStatus() != null && ConditionSet.find(backup.getStatus().getConditions(),
          EtcdBackupConditions.PROGRESSING).filter(c -> reason.equals(c.getReason())).isPresent();
    });
    return env.get(EtcdBackup.class, name).getStatus();
  }

  private static Condition condition(EtcdBackupStatus status, String type) {
    return ConditionSet.find(status.getConditions(), type).orElseThrow(() -> new AssertionError("no " + type));
  }

  private static List<String> reasons(String backup) {
    return env.client().v1().events().inNamespace(NAMESPACE).list().getItems().stream()
        .filter(e -> backup.equals(e.getInvolvedObject().getName())).map(Event::getReason).toList();
  }
}
