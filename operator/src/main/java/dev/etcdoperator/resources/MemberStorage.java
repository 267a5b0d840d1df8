package dev.etcdoperator.resources;

import dev.etcdoperator.api.v1alpha1.StorageSpec;
import java.util.Objects;
import java.util.Optional;

/** Where a member keeps its data: its own persistent volume, or an emptyDir that dies with the pod. */
public sealed interface MemberStorage {

  /**
   * A PersistentVolumeClaim per member from the StatefulSet's volumeClaimTemplate.
   *
   * @param retainOnScaleDown keep the claim of a member removed by scale-in (default: it goes with the member)
   */
  record PersistentVolume(String size, Optional<String> storageClassName, boolean retainOnScaleDown)
      implements MemberStorage {
    public PersistentVolume {
      Objects.requireNonNull(size, "size");
      Objects.requireNonNull(storageClassName, "storageClassName");
    }
  }

  /** For throwaway clusters: a restarted pod comes back empty and must rejoin as a new member. */
  record EmptyDir(Optional<String> sizeLimit, Optional<String> medium) implements MemberStorage {
    public EmptyDir {
      Objects.requireNonNull(sizeLimit, "sizeLimit");
      Objects.requireNonNull(medium, "medium");
    }
  }

  /** Resolves spec.storage; omitted storage means {@link StorageSpec#defaultPersistent()}. */
  static MemberStorage from(StorageSpec spec) {
    StorageSpec storage = spec == null ? StorageSpec.defaultPersistent() : spec;
    if (storage.getEmptyDir() != null) {
      return new EmptyDir(nonBlank(storage.getEmptyDir().getSizeLimit()), nonBlank(storage.getEmptyDir().getMedium()));
    }
    String size = nonBlank(storage.getSize()).orElse(StorageSpec.DEFAULT_SIZE);
    return new PersistentVolume(size, nonBlank(storage.getStorageClassName()),
        Boolean.TRUE.equals(storage.getRetainOnScaleDown()));
  }

  private static Optional<String> nonBlank(String value) {
    return Optional.ofNullable(value).filter(v -> !v.isBlank());
  }
}
