package dev.etcdoperator.cluster;

import static dev.etcdoperator.testing.OperatorTestEnvironment.WAIT;
import static dev.etcdoperator.testing.OperatorTestEnvironment.condition;
import static dev.etcdoperator.testing.OperatorTestEnvironment.tls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.BootstrapSpec;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.api.v1alpha1.RestoreSpec;
import dev.etcdoperator.api.v1alpha1.S3Bucket;
import dev.etcdoperator.api.v1alpha1.S3SnapshotLocation;
import dev.etcdoperator.api.v1alpha1.TlsSpec;
import dev.etcdoperator.objectstore.SnapshotMetadata;
import dev.etcdoperator.resources.ClusterLabels;
import dev.etcdoperator.resources.RestorePodBuilder;
import dev.etcdoperator.restore.RestoreStep;
import dev.etcdoperator.testing.EtcdProcessCluster;
import dev.etcdoperator.testing.OperatorTestEnvironment;
import dev.etcdoperator.testing.S3ProxyServer;
import dev.etcdoperator.support.ConditionSet;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * spec.bootstrap.restore through the operator, against the mock API server and S3Proxy. No kubelet runs here: the
 * test plays it by setting the restore pods' phases (the e2e suite runs them for real).
 */
class ClusterRestoreTest {
  private static final String NAMESPACE = "restores";
  private static final String BUCKET = "snapshots";
  private static final String KEY = "prod/main/20261121T120000Z-rev42-nightly.db";
  private static final String CREDENTIALS = "s3-credentials";
  private static final byte[] SNAPSHOT = "not a real snapshot: nothing in the operator reads it".getBytes(
      StandardCharsets.UTF_8);
  private static OperatorTestEnvironment env;
  private static S3ProxyServer s3;
  private static String sha256;

  @BeforeAll
  static void start() throws Exception {
    s3 = new S3ProxyServer();
    s3.createBucket(BUCKET);
    sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(SNAPSHOT));
    s3.put(BUCKET, KEY, SNAPSHOT, Map.of(SnapshotMetadata.SHA256, sha256));
    s3.put(BUCKET, "unchecked.db", SNAPSHOT);
    env = new OperatorTestEnvironment(NAMESPACE);
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
  void everyInitialMemberRestoresTheSnapshotBeforeTheStatefulSetExistsAndThePodsGoOnceFormed(@TempDir Path dir) {
    createRestoring("restored", s -> s.setKey(KEY), "snapshot-reader");
    await().atMost(WAIT).until(() -> restorePods("restored").size() == 3);
    ConfigMap config = env.get(ConfigMap.class, "restored-config");
    for (int ordinal = 0; ordinal < 3; ordinal++) {
      int i = ordinal;
      Pod pod = env.get(Pod.class, "restored-restore-" + i);
      assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
      assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("snapshot-reader");
      assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
      assertThat(pod.getSpec().getVolumes()).anySatisfy(v -> assertThat(v.getPersistentVolumeClaim().getClaimName())
          .isEqualTo("data-restored-" + i));
      assertThat(env.get(PersistentVolumeClaim.class, "data-restored-" + i)).as("claim of member %d", i).isNotNull();
      Container fetch = pod.getSpec().getInitContainers().get(0);
      assertThat(fetch.getImage()).isEqualTo(dev.etcdoperator.config.OperatorConfig.DEFAULT_OPERATOR_IMAGE);
      assertThat(fetch.getCommand()).contains("fetch-snapshot", "--bucket=" + BUCKET, "--key=" + KEY,
          "--sha256=" + sha256, "--endpoint=" + s3.endpoint(), "--path-style=true");
      assertThat(fetch.getEnv()).anySatisfy(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName())
          .isEqualTo(CREDENTIALS));
      // The restored member list and token are exactly what the members will start with.
      Container restore = pod.getSpec().getInitContainers().get(1);
      assertThat(restore.getCommand()).startsWith("/usr/local/bin/etcdctl", "snapshot", "restore").contains(
          "--name=restored-" + i,
          "--initial-cluster=" + config.getData().get("initial-cluster"),
          "--initial-cluster-token=" + config.getData().get("initial-cluster-token"),
          "--initial-advertise-peer-urls=http://restored-" + i + ".restored-peer." + NAMESPACE + ".svc:2380");
    }
    assertThat(condition(env.status("restored"), EtcdClusterConditions.PROGRESSING).getReason())
        .isEqualTo(Reason.RESTORING);

    finish("restored", 0, 0, "");
    finish("restored", 1, 0, "");
    await().atMost(WAIT).until(() -> progressing("restored").filter(c -> c.getMessage()
        .contains("2/3 members restored")).isPresent());
    assertThat(env.get(StatefulSet.class, "restored")).as("no member starts before all are restored").isNull();
    finish("restored", 2, 0, "");
    await().atMost(WAIT).until(() -> env.get(StatefulSet.class, "restored") != null);

    env.etcd().put("restored", EtcdProcessCluster.builder(dir).members(3).namePrefix("restored").start());
    for (int i = 0; i < 3; i++) {
      env.runReadyPod("restored", i);
    }
    await().atMost(WAIT).until(() -> env.status("restored").getClusterID() != null);
    await().atMost(WAIT).until(() -> restorePods("restored").isEmpty());
  }

  @Test
  void aMissingSnapshotStopsTheBootstrapBeforeAnythingIsCreatedForTheMembers() {
    createRestoring("missing", s -> s.setKey("prod/main/no-such.db"));
    await().atMost(WAIT).until(() -> progressing("missing").filter(c -> c.getReason().equals(Reason.RESTORE_FAILED))
        .isPresent());
    assertThat(condition(env.status("missing"), EtcdClusterConditions.DEGRADED).getMessage())
        .isEqualTo("snapshot s3://" + BUCKET + "/prod/main/no-such.db does not exist");
    assertThat(env.eventsAbout("missing")).anySatisfy(e -> assertThat(e.getReason()).isEqualTo(Reason.RESTORE_FAILED));
    assertThat(env.get(StatefulSet.class, "missing")).isNull();
    assertThat(restorePods("missing")).isEmpty();
    assertThat(env.client().persistentVolumeClaims().inNamespace(NAMESPACE)
        .withLabel(ClusterLabels.INSTANCE, "missing").list().getItems()).isEmpty();
  }

  /** A snapshot saved by hand (etcdctl, then uploaded) records no checksum: the fetch checks etcd's own hash alone. */
  @Test
  void aSnapshotWithNoRecordedChecksumIsFetchedToBeCheckedByItsOwnTrailingHash() {
    createRestoring("unchecked", s -> s.setKey("unchecked.db"));
    await().atMost(WAIT).until(() -> restorePods("unchecked").size() == 3);
    Container fetch = env.get(Pod.class, "unchecked-restore-0").getSpec().getInitContainers().get(0);
    assertThat(fetch.getCommand()).contains("fetch-snapshot", "--key=unchecked.db")
        .noneMatch(arg -> arg.startsWith("--sha256"));
  }

  @Test
  void aFailedMemberRestoreStopsTheBootstrapWithItsReasonUntilThePodIsDeleted() {
    createRestoring("corrupt", s -> s.setKey(KEY));
    await().atMost(WAIT).until(() -> restorePods("corrupt").size() == 3);
    String why = "snapshot s3://" + BUCKET + "/" + KEY + " is not the one recorded: its SHA-256 is 00, expected "
        + sha256;
    finish("corrupt", 0, 0, "");
    finish("corrupt", 1, 1, "2026-11-21T12:00:00.000+0000 INFO RestoreStep - restore: downloading\n"
        + "2026-11-21T12:00:01.000+0000 ERROR RestoreStep - " + RestoreStep.FAILURE_MARK + why + "\n");
    finish("corrupt", 2, 0, "");
    await().atMost(WAIT).until(() -> progressing("corrupt").filter(c -> c.getMessage()
        .equals("restore of member 1 failed: step fetch failed: " + why
            + "; delete the failed restore pod to try again")).isPresent());
    assertThat(condition(env.status("corrupt"), EtcdClusterConditions.DEGRADED).getReason())
        .isEqualTo(Reason.RESTORE_FAILED);
    assertThat(env.get(StatefulSet.class, "corrupt")).isNull();

    String failedUid = env.get(Pod.class, "corrupt-restore-1").getMetadata().getUid();
    env.client().pods().inNamespace(NAMESPACE).withName("corrupt-restore-1").delete();
    await().atMost(WAIT).until(() -> {
      Pod again = env.get(Pod.class, "corrupt-restore-1");
      return again != null && !again.getMetadata().getUid().equals(failedUid);
    });
  }

  @Test
  void aBackupThatDoesNotExistIsNamed() {
    env.create("from-backup", c -> {
      c.getSpec().setTls(tls(TlsSpec.Mode.Disabled));
      RestoreSpec restore = new RestoreSpec();
      restore.setBackupName("nightly");
      c.getSpec().setBootstrap(bootstrap(restore));
    });
    await().atMost(WAIT).until(() -> progressing("from-backup").filter(c -> c.getMessage()
        .equals("EtcdBackup nightly does not exist in namespace " + NAMESPACE)).isPresent());
  }

  /**
   * spec.bootstrap removed while one member is restored and the others are not (a real API server refuses that
   * edit; an older CRD, or the stand-in here, lets it through): the members must never start, since the restored one
   * and the empty ones would form one cluster with two different keyspaces.
   */
  @Test
  void removingTheRestoreMidwayNeverStartsTheMembers() {
    createRestoring("abandoned", s -> s.setKey(KEY));
    await().atMost(WAIT).until(() -> restorePods("abandoned").size() == 3);
    finish("abandoned", 0, 0, "");

    env.editSpec("abandoned", c -> {
      c.getSpec().setBootstrap(null);
      return c;
    });

    await().atMost(WAIT).untilAsserted(() -> {
      Condition degraded = condition(env.status("abandoned"), EtcdClusterConditions.DEGRADED);
      assertThat(degraded.getReason()).isEqualTo(Reason.INVALID_SPEC);
      assertThat(degraded.getMessage()).contains("spec.bootstrap.restore was removed while the restore is under way");
    });
    await("no member starts").during(java.time.Duration.ofSeconds(3)).atMost(WAIT)
        .until(() -> env.get(StatefulSet.class, "abandoned") == null);
  }

  private static void createRestoring(String name, Consumer<S3SnapshotLocation> location) {
    createRestoring(name, location, null);
  }

  private static void createRestoring(String name, Consumer<S3SnapshotLocation> location, String serviceAccount) {
    env.create(name, c -> {
      c.getSpec().setTls(tls(TlsSpec.Mode.Disabled));
      S3SnapshotLocation s3Location = new S3SnapshotLocation();
      s3Location.setBucket(BUCKET);
      s3Location.setEndpoint(s3.endpoint().toString());
      s3Location.setForcePathStyle(true);
      s3Location.setCredentialsSecretRef(new S3Bucket.SecretReference(CREDENTIALS));
      location.accept(s3Location);
      RestoreSpec restore = new RestoreSpec();
      restore.setS3(s3Location);
      restore.setServiceAccountName(serviceAccount);
      c.getSpec().setBootstrap(bootstrap(restore));
    });
  }

  private static BootstrapSpec bootstrap(RestoreSpec restore) {
    BootstrapSpec bootstrap = new BootstrapSpec();
    bootstrap.setRestore(restore);
    return bootstrap;
  }

  private static Optional<Condition> progressing(String cluster) {
    EtcdCluster live = env.resource(cluster).get();
    return live.getStatus() == null ? Optional.empty()
        : ConditionSet.find(live.getStatus().getConditions(), EtcdClusterConditions.PROGRESSING);
  }

  private static List<Pod> restorePods(String cluster) {
    return env.client().pods().inNamespace(NAMESPACE).withLabel(ClusterLabels.INSTANCE, cluster)
        .withLabel(ClusterLabels.COMPONENT, RestorePodBuilder.COMPONENT).list().getItems();
  }

  /** What the kubelet reports when the pod's steps are done: fetch exits {@code exitCode} with {@code log}. */
  private static void finish(String cluster, int ordinal, int exitCode, String log) {
    Pod pod = env.get(Pod.class, cluster + "-restore-" + ordinal);
    var fetch = new ContainerStatusBuilder().withName("fetch").withNewState().withNewTerminated()
        .withExitCode(exitCode).withReason(exitCode == 0 ? "Completed" : "Error").withMessage(log)
        .endTerminated().endState().build();
    pod.setStatus(new PodStatusBuilder().withPhase(exitCode == 0 ? "Succeeded" : "Failed")
        .withInitContainerStatuses(fetch).build());
    env.client().pods().inNamespace(NAMESPACE).resource(pod).updateStatus();
  }
}
