package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterSpec;
import dev.etcdoperator.api.v1alpha1.EtcdTuning;
import dev.etcdoperator.api.v1alpha1.ManagedEtcdFlags;
import dev.etcdoperator.api.v1alpha1.StorageSpec;
import dev.etcdoperator.support.EtcdVersion;
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

  public static List<String> of(EtcdCluster cluster, Optional<StatefulSet> existing) {
    EtcdClusterSpec spec = cluster.getSpec();
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      return List.of("spec is missing");
    }
    Integer replicas = spec.getReplicas();
    if (replicas == null || replicas < 1 || replicas > 9 || replicas % 2 == 0) {
      problems.add("spec.replicas must be 1, 3, 5, 7 or 9, got " + replicas);
    }
    if (spec.getVersion() != null) {
      Optional<EtcdVersion> version = EtcdVersion.parse(spec.getVersion());
      if (version.isEmpty()) {
        problems.add("spec.version '" + spec.getVersion() + "' is not a version like 3.5.21");
      } else if (!version.get().isSupported()) {
        problems.add("spec.version " + spec.getVersion() + " is not supported: this operator runs etcd 3.4.x to 3.6.x");
      }
    }
    checkStorage(spec.getStorage() == null ? StorageSpec.defaultPersistent() : spec.getStorage(), existing, problems);
    if (spec.getEtcd() != null) {
      checkTuning(spec.getEtcd(), problems);
    }
    return List.copyOf(problems);
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
    List<String> dashed = extraArgs.keySet().stream().sorted().filter(k -> k.startsWith("-")).toList();
    if (!dashed.isEmpty()) {
      problems.add("spec.etcd.extraArgs keys are flag names without leading dashes: " + String.join(", ", dashed));
    }
  }
}
