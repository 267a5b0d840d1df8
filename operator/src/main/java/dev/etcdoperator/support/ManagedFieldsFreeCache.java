package dev.etcdoperator.support;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;

/**
 * Informer caches that keep objects without {@code metadata.managedFields}. A real API server records on every
 * object which field manager wrote which fields; on what the operator caches (certificate Secrets, StatefulSets with
 * their pod template, pods with their status) that record is a large part of each object, and nothing in the
 * operator reads it: it applies with one field manager and compares objects field by field. An update built from a
 * cached object leaves the server's record alone, as a request without managedFields keeps them.
 */
public final class ManagedFieldsFreeCache {
  private ManagedFieldsFreeCache() {}

  /** A fresh store for one informer. */
  public static <R extends HasMetadata> ItemStore<R> store() {
    return new TransformingItemStore<>(object -> {
      if (object.getMetadata() != null) {
        object.getMetadata().setManagedFields(null);
      }
      return object;
    });
  }
}
