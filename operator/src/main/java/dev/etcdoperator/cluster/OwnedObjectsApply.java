package dev.etcdoperator.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Server-side applies a cluster's owned objects. A new cluster has ten of them; one after the other they made up most
 * of its first reconcile. The StatefulSet goes last, alone: its pods mount the Secrets and read the ConfigMap, and
 * its volume claims must never exist without the ConfigMap that records the cluster (see {@link Formation}).
 * Everything before it goes at once; if any of that fails, the StatefulSet waits for the next reconcile.
 */
final class OwnedObjectsApply {
  /** Requests in flight beyond the reconcile threads' own, for all clusters together. */
  static final int EXTRA_IN_FLIGHT = 16;

  private final KubernetesClient client;
  private final String fieldManager;
  private final ThreadPoolExecutor helpers;

  OwnedObjectsApply(KubernetesClient client, String fieldManager) {
    this.client = client;
    this.fieldManager = fieldManager;
    AtomicInteger count = new AtomicInteger();
    // Threads only while clusters are being changed: an idle operator keeps none.
    this.helpers = new ThreadPoolExecutor(EXTRA_IN_FLIGHT, EXTRA_IN_FLIGHT, 10, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), task -> {
          Thread thread = new Thread(task, "apply-" + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    helpers.allowCoreThreadTimeOut(true);
  }

  /** @throws io.fabric8.kubernetes.client.KubernetesClientException the first refusal, after the others are done */
  void apply(List<HasMetadata> objects) {
    applyTogether(objects.stream().filter(o -> !(o instanceof StatefulSet)).toList());
    applyTogether(objects.stream().filter(o -> o instanceof StatefulSet).toList());
  }

  private void applyTogether(List<HasMetadata> objects) {
    if (objects.isEmpty()) {
      return;
    }
    List<Future<?>> others = new ArrayList<>();
    for (HasMetadata object : objects.subList(1, objects.size())) {
      others.add(helpers.submit(() -> applyOne(object)));
    }
    // The calling thread takes one itself: with every helper busy, the apply still goes at its own pace.
    RuntimeException failure = null;
    try {
      applyOne(objects.get(0));
    } catch (RuntimeException e) {
      failure = e;
    }
    for (Future<?> other : others) {
      try {
        other.get();
      } catch (ExecutionException e) {
        if (failure == null) {
          failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while applying", e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private void applyOne(HasMetadata object) {
    client.resource(object).fieldManager(fieldManager).forceConflicts().serverSideApply();
  }
}
