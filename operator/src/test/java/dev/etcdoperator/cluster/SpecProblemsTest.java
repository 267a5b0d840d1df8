package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.TlsSpec;
import dev.etcdoperator.resources.MemberTls;
import dev.etcdoperator.testing.TestClusters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterSpec;
import dev.etcdoperator.api.v1alpha1.EtcdTuning;
import dev.etcdoperator.api.v1alpha1.StorageSpec;
import dev.etcdoperator.resources.ClusterBlueprint;
import dev.etcdoperator.resources.MemberStatefulSetBuilder;
import dev.etcdoperator.support.EtcdVersion;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpecProblemsTest {

  private static EtcdCluster cluster(Consumer<EtcdClusterSpec> spec) {
    return TestClusters.cluster(spec);
  }

  private static List<String> problems(Consumer<EtcdClusterSpec> spec) {
    return SpecProblems.of(cluster(spec), Optional.empty());
  }

  private static List<String> problems(Consumer<EtcdClusterSpec> spec, StatefulSet existing) {
    return SpecProblems.of(cluster(spec), Optional.of(existing));
  }

  /** The StatefulSet the operator created for a cluster with this storage (and TLS on, the default). */
  private static StatefulSet existing(StorageSpec storage) {
    EtcdCluster cluster = cluster(s -> s.setStorage(storage));
    return MemberStatefulSetBuilder.build(ClusterBlueprint.from(cluster, EtcdVersion.parse("3.5.21").orElseThrow(),
        ClusterBlueprint.DEFAULT_IMAGE_REPOSITORY).withTls(new MemberTls.Mutual("main-server-tls", "main-peer-tls")),
        3);
  }

  @Test
  void switchingTlsOnOrOffAfterCreationIsRejected() {
    StatefulSet withTls = existing(persistent("8Gi", null));
    EtcdCluster disabled = cluster(s -> {
      s.setStorage(persistent("8Gi", null));
      TlsSpec tls = new TlsSpec();
      tls.setMode(TlsSpec.Mode.Disabled);
      s.setTls(tls);
    });

    assertThat(SpecProblems.of(disabled, Optional.of(withTls))).containsExactly("spec.tls.mode cannot change after "
        + "creation: members run with TLS and their peer URLs would change scheme");
  }

  @Test
  void externalModeNeedsItsSecretNamesAndClientCertificateNamesMustBeUnique() {
    EtcdCluster cluster = cluster(s -> {
      TlsSpec tls = new TlsSpec();
      tls.setMode(TlsSpec.Mode.External);
      TlsSpec.ClientCertificate a = new TlsSpec.ClientCertificate();
      a.setName("app");
      tls.setClientCertificates(List.of(a, a));
      s.setTls(tls);
    });

    assertThat(SpecProblems.of(cluster, Optional.empty())).containsExactly(
        "spec.tls.mode External needs spec.tls.external.serverSecretName, peerSecretName and "
            + "operatorClientSecretName",
        "spec.tls.clientCertificates names must be unique");
  }

  private static StorageSpec persistent(String size, String storageClass) {
    StorageSpec storage = new StorageSpec();
    storage.setSize(size);
    storage.setStorageClassName(storageClass);
    return storage;
  }

  private static StorageSpec emptyDir() {
    StorageSpec storage = new StorageSpec();
    storage.setEmptyDir(new StorageSpec.EmptyDirStorage());
    return storage;
  }

  private static EtcdTuning tuning(Integer heartbeat, Integer election) {
    EtcdTuning tuning = new EtcdTuning();
    tuning.setHeartbeatIntervalMillis(heartbeat);
    tuning.setElectionTimeoutMillis(election);
    return tuning;
  }

  private static EtcdTuning extraArgs(Map<String, String> args) {
    EtcdTuning tuning = new EtcdTuning();
    tuning.setExtraArgs(args);
    return tuning;
  }

  // ---- valid specs ----------------------------------------------------------------------------------------------

  @Test
  void defaultSpecHasNoProblems() {
    assertThat(problems(s -> {})).isEmpty();
  }

  @Test
  void fullyValidSpecHasNoProblems() {
    assertThat(problems(s -> {
      s.setReplicas(5);
      s.setVersion("3.6.5");
      s.setStorage(persistent("20Gi", "fast"));
      s.setEtcd(tuning(100, 500));
      s.getEtcd().setExtraArgs(Map.of("experimental-corrupt-check-time", "4h"));
    })).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 5, 7, 9})
  void oddReplicasUpToNineAreValid(int replicas) {
    assertThat(problems(s -> s.setReplicas(replicas))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"3.4.0", "3.4.23", "3.5.21", "3.6.0", "3.6.99", "v3.5.21"})
  void supportedVersionsAreValid(String version) {
    assertThat(problems(s -> s.setVersion(version))).isEmpty();
  }

  @Test
  void emptyDirAloneIsValid() {
    assertThat(problems(s -> s.setStorage(emptyDir()))).isEmpty();
  }

  @Test
  void missingSpecIsOneProblem() {
    EtcdCluster cluster = cluster(s -> {});
    cluster.setSpec(null);

    assertThat(SpecProblems.of(cluster, Optional.empty())).containsExactly("spec is missing");
  }

  // ---- backup schedule ------------------------------------------------------------------------------------------

  @Test
  void aBackupScheduleNeedsAValidCronAndABucket() {
    assertThat(problems(s -> s.setBackup(schedule("0 3 * * *", "bucket")))).isEmpty();
    assertThat(problems(s -> s.setBackup(schedule("at three", "bucket")))).singleElement().asString()
        .startsWith("spec.backup: schedule \"at three\" is not a valid cron expression (five fields: minute hour "
            + "day-of-month month day-of-week): ");
    assertThat(problems(s -> s.setBackup(schedule("0 3 * * *", null))))
        .containsExactly("spec.backup.destination.s3.bucket is required");
  }

  private static dev.etcdoperator.api.v1alpha1.BackupScheduleSpec schedule(String cron, String bucket) {
    var spec = new dev.etcdoperator.api.v1alpha1.BackupScheduleSpec();
    spec.setSchedule(cron);
    var destination = new dev.etcdoperator.api.v1alpha1.BackupDestination();
    destination.setS3(new dev.etcdoperator.api.v1alpha1.S3Destination());
    destination.getS3().setBucket(bucket);
    spec.setDestination(destination);
    return spec;
  }

  // ---- replicas -------------------------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 2, 4, 8, 10, 11})
  void evenOrOutOfRangeReplicasAreRejected(int replicas) {
    assertThat(problems(s -> s.setReplicas(replicas)))
        .containsExactly("spec.replicas must be 1, 3, 5, 7 or 9, got " + replicas);
  }

  @ParameterizedTest
  @NullSource
  void nullReplicasAreRejected(Integer replicas) {
    assertThat(problems(s -> s.setReplicas(replicas)))
        .containsExactly("spec.replicas must be 1, 3, 5, 7 or 9, got null");
  }

  // ---- version --------------------------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"latest", "3.5", "3.5.21-rc.0", "", "3.5.x"})
  void versionTextThatIsNotAVersionIsRejected(String version) {
    assertThat(problems(s -> s.setVersion(version)))
        .containsExactly("spec.version '" + version + "' is not a version like 3.5.21");
  }

  @ParameterizedTest
  @ValueSource(strings = {"3.3.27", "3.3.0", "3.8.0", "3.8.1", "4.0.0", "2.3.8"})
  void unsupportedVersionsAreRejected(String version) {
    assertThat(problems(s -> s.setVersion(version)))
        .containsExactly("spec.version " + version + " is not supported: this operator runs etcd 3.4.x to 3.7.x");
  }

  /**
   * The CRD pattern ^\d+\.\d+\.\d+$ admits this, so validation is the operator's: it must report the spec, not throw
   * (an exception fails every reconcile instead of giving the InvalidSpec condition and one Warning).
   */
  @Test
  void versionWithANumberTooLargeIsReportedNotThrown() {
    assertThatCode(() -> problems(s -> s.setVersion("3.5.99999999999"))).doesNotThrowAnyException();
    assertThat(problems(s -> s.setVersion("3.5.99999999999")))
        .containsExactly("spec.version '3.5.99999999999' is not a version like 3.5.21");
  }

  // ---- storage --------------------------------------------------------------------------------------------------

  @Test
  void sizeAndEmptyDirTogetherAreRejected() {
    StorageSpec both = emptyDir();
    both.setSize("8Gi");

    assertThat(problems(s -> s.setStorage(both)))
        .containsExactly("set exactly one of spec.storage.size or spec.storage.emptyDir");
  }

  @Test
  void neitherSizeNorEmptyDirIsRejected() {
    assertThat(problems(s -> s.setStorage(new StorageSpec())))
        .containsExactly("set exactly one of spec.storage.size or spec.storage.emptyDir");
    assertThat(problems(s -> s.setStorage(persistent(null, "fast"))))
        .containsExactly("set exactly one of spec.storage.size or spec.storage.emptyDir");
  }

  @Test
  void storageClassWithEmptyDirIsRejected() {
    StorageSpec storage = emptyDir();
    storage.setStorageClassName("fast");

    assertThat(problems(s -> s.setStorage(storage)))
        .containsExactly("spec.storage.storageClassName cannot be combined with spec.storage.emptyDir");
  }

  @ParameterizedTest
  @ValueSource(strings = {"lots", "8 Gi", "Gi8"})
  void badQuantityIsRejected(String size) {
    assertThat(problems(s -> s.setStorage(persistent(size, null))))
        .containsExactly("spec.storage.size '" + size + "' is not a quantity like 8Gi");
  }

  @Test
  void shrinkingBelowTheExistingClaimTemplateIsRejected() {
    StatefulSet live = existing(persistent("8Gi", null));

    assertThat(problems(s -> s.setStorage(persistent("4Gi", null)), live))
        .containsExactly("spec.storage.size can only grow (members have 8Gi)");
  }

  @Test
  void shrinkingFromTheDefaultSizeIsRejected() {
    StatefulSet live = existing(null);

    assertThat(problems(s -> s.setStorage(persistent("1Gi", null)), live))
        .containsExactly("spec.storage.size can only grow (members have 8Gi)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"8Gi", "8192Mi", "16Gi", "1Ti"})
  void sameOrLargerSizeInAnySpellingIsAccepted(String size) {
    StatefulSet live = existing(persistent("8Gi", null));

    assertThat(problems(s -> s.setStorage(persistent(size, null)), live)).isEmpty();
  }

  @Test
  void changingTheStorageClassIsRejected() {
    StatefulSet live = existing(persistent("8Gi", "fast"));

    assertThat(problems(s -> s.setStorage(persistent("8Gi", "slow")), live))
        .containsExactly("spec.storage.storageClassName is immutable (members use 'fast')");
  }

  @Test
  void addingOrRemovingAStorageClassIsRejected() {
    assertThat(problems(s -> s.setStorage(persistent("8Gi", null)), existing(persistent("8Gi", "fast"))))
        .containsExactly("spec.storage.storageClassName is immutable (members use 'fast')");
    assertThat(problems(s -> s.setStorage(persistent("8Gi", "fast")), existing(persistent("8Gi", null))))
        .singleElement().asString().startsWith("spec.storage.storageClassName is immutable");
  }

  @Test
  void switchingFromEmptyDirToPersistentIsRejected() {
    StatefulSet live = existing(emptyDir());

    assertThat(problems(s -> s.setStorage(persistent("8Gi", null)), live))
        .containsExactly("cannot switch between emptyDir and persistent storage after creation");
    // Omitted storage means the default persistent volume: also a switch.
    assertThat(problems(s -> {}, live))
        .containsExactly("cannot switch between emptyDir and persistent storage after creation");
  }

  @Test
  void switchingFromPersistentToEmptyDirIsRejected() {
    StatefulSet live = existing(persistent("8Gi", null));

    assertThat(problems(s -> s.setStorage(emptyDir()), live))
        .containsExactly("cannot switch between emptyDir and persistent storage after creation");
  }

  @Test
  void unchangedStorageAgainstTheExistingStatefulSetIsValid() {
    assertThat(problems(s -> s.setStorage(persistent("8Gi", "fast")), existing(persistent("8Gi", "fast"))))
        .isEmpty();
    assertThat(problems(s -> s.setStorage(emptyDir()), existing(emptyDir()))).isEmpty();
  }

  // ---- tuning ---------------------------------------------------------------------------------------------------

  @Test
  void electionTimeoutBelowFiveHeartbeatsIsRejected() {
    assertThat(problems(s -> s.setEtcd(tuning(200, 900)))).containsExactly(
        "spec.etcd.electionTimeoutMillis (900) must be at least 5 times heartbeatIntervalMillis (200)");
  }

  @Test
  void exactlyFiveHeartbeatsIsEnough() {
    assertThat(problems(s -> s.setEtcd(tuning(200, 1000)))).isEmpty();
  }

  @Test
  void onlyHeartbeatSetIsCheckedAgainstTheDefaultElectionTimeout() {
    assertThat(problems(s -> s.setEtcd(tuning(300, null)))).containsExactly(
        "spec.etcd.electionTimeoutMillis (1000) must be at least 5 times heartbeatIntervalMillis (300)");
    assertThat(problems(s -> s.setEtcd(tuning(200, null)))).isEmpty();
  }

  @Test
  void onlyElectionTimeoutSetIsCheckedAgainstTheDefaultHeartbeat() {
    assertThat(problems(s -> s.setEtcd(tuning(null, 400)))).containsExactly(
        "spec.etcd.electionTimeoutMillis (400) must be at least 5 times heartbeatIntervalMillis (100)");
    assertThat(problems(s -> s.setEtcd(tuning(null, 500)))).isEmpty();
  }

  @Test
  void managedFlagsInExtraArgsAreListedSorted() {
    Map<String, String> args = new LinkedHashMap<>();
    args.put("name", "x");
    args.put("experimental-corrupt-check-time", "4h");
    args.put("initial-cluster-state", "new");
    args.put("data-dir", "/tmp");

    assertThat(problems(s -> s.setEtcd(extraArgs(args)))).containsExactly(
        "spec.etcd.extraArgs may not set flags the operator manages: data-dir, initial-cluster-state, name");
  }

  @Test
  void typedTuningFlagsAreManagedToo() {
    assertThat(problems(s -> s.setEtcd(extraArgs(Map.of("quota-backend-bytes", "1")))))
        .containsExactly("spec.etcd.extraArgs may not set flags the operator manages: quota-backend-bytes");
  }

  /** Longer names make a StatefulSet whose pods are never created; the only symptom would be "waiting for pods". */
  @Test
  void aNameTooLongForThePodsRevisionLabelIsRefused() {
    EtcdCluster longName = cluster(s -> {});
    longName.getMetadata().setName("a".repeat(53));
    assertThat(SpecProblems.of(longName, Optional.empty())).containsExactly("metadata.name has 53 characters, at "
        + "most 52 work: the members' StatefulSet labels its pods with the name and an 11-character revision suffix, "
        + "63 at most, and its pods would never be created");
    longName.getMetadata().setName("a".repeat(52));
    assertThat(SpecProblems.of(longName, Optional.empty())).isEmpty();
  }

  @Test
  void releasesEtcdWithdrewAreRefusedWithTheReason() {
    assertThat(problems(s -> s.setVersion("3.5.1"))).containsExactly("spec.version: etcd 3.5.1 can leave members "
        + "with different data after a crash (fixed in 3.5.3): use 3.5.3 or newer");
    assertThat(problems(s -> s.setVersion("3.5.3"))).isEmpty();
  }

  @Test
  void flagsThatGiveUpEtcdsOwnSafetyAreRefused() {
    assertThat(problems(s -> s.setEtcd(extraArgs(Map.of("unsafe-no-fsync", "true", "strict-reconfig-check",
        "false"))))).containsExactly(
            "spec.etcd.extraArgs may not set unsafe-no-fsync: acknowledged writes would be lost on power loss",
            "spec.etcd.extraArgs may not turn strict-reconfig-check off: etcd would then accept membership changes "
                + "that cost quorum");
    assertThat(problems(s -> s.setEtcd(extraArgs(Map.of("strict-reconfig-check", "true"))))).isEmpty();
  }

  @Test
  void dashedKeysAreListedSorted() {
    Map<String, String> args = new LinkedHashMap<>();
    args.put("-x", "1");
    args.put("--experimental-corrupt-check-time", "4h");
    args.put("snapshot-catchup-entries", "5000");

    assertThat(problems(s -> s.setEtcd(extraArgs(args)))).containsExactly(
        "spec.etcd.extraArgs keys are flag names without leading dashes: --experimental-corrupt-check-time, -x");
  }

  @Test
  void everyProblemIsReportedInSpecOrder() {
    Map<String, String> args = new LinkedHashMap<>();
    args.put("--name", "x");
    args.put("name", "x");

    List<String> problems = problems(s -> {
      s.setReplicas(2);
      s.setVersion("3.8.0");
      s.setStorage(new StorageSpec());
      s.setEtcd(tuning(500, 1000));
      s.getEtcd().setExtraArgs(args);
    });

    assertThat(problems).containsExactly(
        "spec.replicas must be 1, 3, 5, 7 or 9, got 2",
        "spec.version 3.8.0 is not supported: this operator runs etcd 3.4.x to 3.7.x",
        "set exactly one of spec.storage.size or spec.storage.emptyDir",
        "spec.etcd.electionTimeoutMillis (1000) must be at least 5 times heartbeatIntervalMillis (500)",
        "spec.etcd.extraArgs may not set flags the operator manages: name",
        "spec.etcd.extraArgs keys are flag names without leading dashes: --name");
  }
}
