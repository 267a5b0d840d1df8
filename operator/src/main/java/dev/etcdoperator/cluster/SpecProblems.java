package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.BackupScheduleSpec;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterSpec;
import dev.etcdoperator.api.v1alpha1.EtcdTuning;
import dev.etcdoperator.api.v1alpha1.MaintenanceSpec;
import dev.etcdoperator.api.v1alpha1.ManagedEtcdFlags;
import dev.etcdoperator.api.v1alpha1.RestoreSpec;
import dev.etcdoperator.api.v1alpha1.StorageSpec;
import dev.etcdoperator.api.v1alpha1.TlsSpec;
import dev.etcdoperator.pki.KeyAlgorithm;
import dev.etcdoperator.schedule.CronSchedule;
import dev.etcdoperator.support.EtcdVersion;
import dev.etcdoperator.support.UpgradePath;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Semantic checks of an EtcdCluster spec. The CRD's CEL rules catch most of these at admission, but the operator
 * checks again: the CRD may be older than the operator, and some rules need the live objects (storage changes).
 */
public final class SpecProblems {
  private SpecProblems() {}

  /** The longest cluster name whose pods' controller-revision-hash label ("<name>-<10 characters>") fits 63. */
  static final int MAX_NAME_LENGTH = 52;

  public static List<String> of(EtcdCluster cluster, Optional<StatefulSet> existing) {
    EtcdClusterSpec spec = cluster.getSpec();
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      return List.of("spec is missing");
    }
    String name = cluster.getMetadata() == null ? null : cluster.getMetadata().getName();
    if (name != null && name.length() > MAX_NAME_LENGTH) {
      problems.add("metadata.name has " + name.length() + " characters, at most " + MAX_NAME_LENGTH + " work: the "
          + "members' StatefulSet labels its pods with the name and an 11-character revision suffix, 63 at most, and "
          + "its pods would never be created");
    }
    Integer replicas = spec.getReplicas();
    if (replicas == null || replicas < 1 || replicas > 9 || replicas % 2 == 0) {
      problems.add("spec.replicas must be 1, 3, 5, 7 or 9, got " + replicas);
    }
    if (spec.getVersion() != null) {
      Optional<EtcdVersion> version = EtcdVersion.parse(spec.getVersion());
      if (version.isEmpty()) {
        problems.add("spec.version '" + spec.getVersion() + "' is not a version like 3.5.21");
      } else if (version.get().withdrawn().isPresent()) {
        problems.add("spec.version: " + version.get().withdrawn().get());
      } else if (!version.get().isSupported()) {
        problems.add("spec.version " + spec.getVersion() + " is not supported: this operator runs etcd 3.4.x to 3.7.x");
      } else {
        runningVersion(cluster).flatMap(running -> UpgradePath.problem(running, version.get()))
            .ifPresent(problems::add);
      }
    }
    checkStorage(spec.getStorage() == null ? StorageSpec.defaultPersistent() : spec.getStorage(), existing, problems);
    if (spec.getEtcd() != null) {
      checkTuning(spec.getEtcd(), problems);
    }
    checkTls(spec.getTls() == null ? new TlsSpec() : spec.getTls(), existing, problems);
    if (spec.getBackup() != null) {
      checkBackup(spec.getBackup(), problems);
    }
    if (spec.getMaintenance() != null) {
      checkMaintenance(spec.getMaintenance(), spec.getEtcd(), problems);
    }
    boolean formed = cluster.getStatus() != null && cluster.getStatus().getClusterID() != null;
    if (!formed && spec.getBootstrap() != null && spec.getBootstrap().getRestore() != null) {
      checkRestore(spec.getBootstrap().getRestore(), spec.getStorage(), problems);
    }
    return List.copyOf(problems);
  }

  /** Only checked until the cluster has formed: afterwards spec.bootstrap means nothing. */
  private static void checkRestore(RestoreSpec restore, StorageSpec storage, List<String> problems) {
    if ((restore.getBackupName() == null) == (restore.getS3() == null)) {
      problems.add("spec.bootstrap.restore needs exactly one of backupName and s3");
    }
    if (storage != null && storage.getEmptyDir() != null) {
      problems.add("spec.bootstrap.restore needs persistent storage: with spec.storage.emptyDir a member would "
          + "start empty again after any restart");
    }
  }

  /** The version the cluster runs (its lowest member's), once it has formed. */
  static Optional<EtcdVersion> runningVersion(EtcdCluster cluster) {
    return Optional.ofNullable(cluster.getStatus()).map(s -> s.getCurrentVersion()).flatMap(EtcdVersion::parse);
  }

  private static void checkTls(TlsSpec tls, Optional<StatefulSet> existing, List<String> problems) {
    if (tls.getMode() == null) {
      problems.add("spec.tls.mode must be Operator, External or Disabled");
      return;
    }
    try {
      KeyAlgorithm.parse(tls.getKeyAlgorithm());
    } catch (IllegalArgumentException e) {
      problems.add("spec.tls.keyAlgorithm: " + e.getMessage());
    }
    if (tls.getMode() == TlsSpec.Mode.External) {
      TlsSpec.ExternalTls external = tls.getExternal();
      if (external == null || external.getServerSecretName() == null || external.getPeerSecretName() == null
          || external.getOperatorClientSecretName() == null) {
        problems.add("spec.tls.mode External needs spec.tls.external.serverSecretName, peerSecretName and "
            + "operatorClientSecretName");
      }
    }
    List<String> names = Optional.ofNullable(tls.getClientCertificates()).orElse(List.of()).stream()
        .map(TlsSpec.ClientCertificate::getName).toList();
    if (names.stream().anyMatch(n -> n == null || !n.matches("^[a-z0-9]([-a-z0-9]{0,48}[a-z0-9])?$"))) {
      problems.add("spec.tls.clientCertificates names must be lowercase DNS labels of at most 50 characters");
    } else if (names.size() != names.stream().distinct().count()) {
      problems.add("spec.tls.clientCertificates names must be unique");
    }
    existing.flatMap(SpecProblems::servesTls).filter(live -> live != (tls.getMode() != TlsSpec.Mode.Disabled))
        .ifPresent(live -> problems.add("spec.tls.mode cannot change after creation: members run "
            + (live ? "with TLS" : "without TLS") + " and their peer URLs would change scheme"));
  }

  /** Whether the live members listen for peers over TLS, when their StatefulSet says. */
  private static Optional<Boolean> servesTls(StatefulSet sts) {
    return Optional.ofNullable(sts.getSpec().getTemplate()).map(t -> t.getSpec()).stream()
        .flatMap(pod -> pod.getContainers().stream())
        .flatMap(c -> Optional.ofNullable(c.getArgs()).orElse(List.of()).stream())
        .filter(a -> a.startsWith("--listen-peer-urls="))
        .findFirst().map(a -> a.startsWith("--listen-peer-urls=https://"));
  }

  private static void checkStorage(StorageSpec storage, Optional<StatefulSet> existing, List<String> problems) {
    boolean emptyDir = storage.getEmptyDir() != null;
    if (emptyDir == (storage.getSize() != null)) {
      problems.add("set exactly one of spec.storage.size or spec.storage.emptyDir");
      return;
    }
    if (emptyDir && storage.getStorageClassName() != null) {
      problems.add("spec.storage.storageClassName cannot be combined with spec.storage.emptyDir");
    }
    Optional<Quantity> size = Optional.ofNullable(storage.getSize()).flatMap(SpecProblems::quantity);
    if (!emptyDir && size.isEmpty()) {
      problems.add("spec.storage.size '" + storage.getSize() + "' is not a quantity like 8Gi");
    }
    Optional<PersistentVolumeClaim> template = existing.flatMap(SpecProblems::dataClaimTemplate);
    if (existing.isEmpty()) {
      return;
    }
    if (template.isPresent() == emptyDir) {
      problems.add("cannot switch between emptyDir and persistent storage after creation");
      return;
    }
    template.ifPresent(claim -> {
      if (!Objects.equals(claim.getSpec().getStorageClassName(), storage.getStorageClassName())) {
        String current = claim.getSpec().getStorageClassName();
        problems.add("spec.storage.storageClassName is immutable (members use "
            + (current == null ? "the default storage class" : "'" + current + "'") + ")");
      }
      Quantity current = claim.getSpec().getResources().getRequests().get("storage");
      size.filter(requested -> current != null
              && requested.getNumericalAmount().compareTo(current.getNumericalAmount()) < 0)
          .ifPresent(requested -> problems.add("spec.storage.size can only grow (members have " + current + ")"));
    });
  }

  private static Optional<PersistentVolumeClaim> dataClaimTemplate(StatefulSet sts) {
    List<PersistentVolumeClaim> templates = sts.getSpec().getVolumeClaimTemplates();
    return templates == null ? Optional.empty() : templates.stream().findFirst();
  }

  private static Optional<Quantity> quantity(String text) {
    try {
      Quantity q = new Quantity(text);
      q.getNumericalAmount();
      return Optional.of(q);
    } catch (IllegalArgumentException | ArithmeticException e) {
      return Optional.empty();
    }
  }

  private static void checkTuning(EtcdTuning tuning, List<String> problems) {
    int heartbeat = Optional.ofNullable(tuning.getHeartbeatIntervalMillis()).orElse(100);
    int election = Optional.ofNullable(tuning.getElectionTimeoutMillis()).orElse(1000);
    if (election < 5 * heartbeat) {
      problems.add("spec.etcd.electionTimeoutMillis (" + election + ") must be at least 5 times "
          + "heartbeatIntervalMillis (" + heartbeat + ")");
    }
    Map<String, String> extraArgs = tuning.getExtraArgs() == null ? Map.of() : tuning.getExtraArgs();
    List<String> managed = extraArgs.keySet().stream().sorted().filter(ManagedEtcdFlags.NAMES::contains).toList();
    if (!managed.isEmpty()) {
      problems.add("spec.etcd.extraArgs may not set flags the operator manages: " + String.join(", ", managed));
    }
    if (extraArgs.containsKey("unsafe-no-fsync")) {
      problems.add("spec.etcd.extraArgs may not set unsafe-no-fsync: acknowledged writes would be lost on power loss");
    }
    if (extraArgs.containsKey("strict-reconfig-check") && !"true".equals(extraArgs.get("strict-reconfig-check"))) {
      problems.add("spec.etcd.extraArgs may not turn strict-reconfig-check off: etcd would then accept membership "
          + "changes that cost quorum");
    }
    List<String> dashed = extraArgs.keySet().stream().sorted().filter(k -> k.startsWith("-")).toList();
    if (!dashed.isEmpty()) {
      problems.add("spec.etcd.extraArgs keys are flag names without leading dashes: " + String.join(", ", dashed));
    }
  }

  private static void checkBackup(BackupScheduleSpec backup, List<String> problems) {
    try {
      CronSchedule.parse(backup.getSchedule());
    } catch (CronSchedule.InvalidScheduleException e) {
      problems.add("spec.backup: " + e.getMessage());
    }
    if (backup.getDestination() == null || backup.getDestination().getS3() == null
        || backup.getDestination().getS3().getBucket() == null) {
      problems.add("spec.backup.destination.s3.bucket is required");
    }
  }

  private static void checkMaintenance(MaintenanceSpec maintenance, EtcdTuning tuning, List<String> problems) {
    MaintenanceSpec.Compaction compaction = maintenance.getCompaction();
    boolean tuned = tuning != null && (tuning.getAutoCompactionMode() != null
        || tuning.getAutoCompactionRetention() != null);
    if (compaction != null && tuned && !(compaction.getMode() == tuning.getAutoCompactionMode()
        && Objects.equals(compaction.getRetention(), tuning.getAutoCompactionRetention()))) {
      problems.add("spec.maintenance.compaction and spec.etcd.autoCompactionMode/autoCompactionRetention disagree: "
          + "set compaction in spec.maintenance.compaction only (the spec.etcd fields are deprecated)");
    }
    MaintenanceSpec.Defragmentation defragmentation = maintenance.getDefragmentation();
    if (defragmentation != null && defragmentation.getSchedule() != null) {
      try {
        CronSchedule.parse(defragmentation.getSchedule());
      } catch (CronSchedule.InvalidScheduleException e) {
        problems.add("spec.maintenance.defragmentation: " + e.getMessage());
      }
    }
    if (compaction != null && compaction.getMode() == EtcdTuning.AutoCompactionMode.revision
        && compaction.getRetention() != null && !compaction.getRetention().matches("[0-9]+")) {
      problems.add("spec.maintenance.compaction.retention '" + compaction.getRetention() + "' is no revision count: "
          + "mode revision keeps a number of revisions, e.g. 10000");
    }
  }
}
