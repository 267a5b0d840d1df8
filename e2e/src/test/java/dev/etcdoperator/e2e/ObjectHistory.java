package dev.etcdoperator.e2e;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Watches objects of one kind in a namespace from before a scenario acts and remembers every uid each name ever had:
 * the evidence that something was created once (and not deleted and created again behind the scenario's back).
 */
final class ObjectHistory<T extends HasMetadata> implements AutoCloseable {
  private final Map<String, List<String>> uidsByName = new ConcurrentHashMap<>();
  private final SharedIndexInformer<T> informer;

  ObjectHistory(Informable<T> objects) {
    informer = objects.inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        record(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        record(newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        record(obj);
      }
    });
  }

  private void record(T obj) {
    List<String> uids = uidsByName.computeIfAbsent(obj.getMetadata().getName(), n -> new CopyOnWriteArrayList<>());
    synchronized (uids) {
      if (!uids.contains(obj.getMetadata().getUid())) {
        uids.add(obj.getMetadata().getUid());
      }
    }
  }

  /** Every uid the object of this name ever had, in the order seen. */
  List<String> uids(String name) {
    return List.copyOf(uidsByName.getOrDefault(name, List.of()));
  }

  Set<String> names() {
    return Set.copyOf(uidsByName.keySet());
  }

  @Override
  public void close() {
    informer.close();
  }
}
