package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A cluster's objects in the informer caches, each kind asked for once per reconcile. Every ask collects the
 * objects into a set, which hashes each one field by field (a StatefulSet's whole pod template, a Secret's data):
 * asked once per Secret name, as the certificates' plan did, that was a twentieth of a bootstrap's reconciles.
 */
final class CachedObjects {
  private final Context<EtcdCluster> context;
  private final Map<Class<?>, List<? extends HasMetadata>> byKind = new HashMap<>();

  CachedObjects(Context<EtcdCluster> context) {
    this.context = context;
  }

  @SuppressWarnings("unchecked")
  <T extends HasMetadata> List<T> all(Class<T> kind) {
    return (List<T>) byKind.computeIfAbsent(kind, k -> List.copyOf(context.getSecondaryResources(kind)));
  }

  <T extends HasMetadata> Optional<T> named(Class<T> kind, String name) {
    return all(kind).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
  }
}
