package dev.etcdoperator.e2e;

import dev.etcdoperator.api.v1alpha1.EtcdBackup;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The namespace controller stand-in (the mock API server deletes a namespace at once and nothing in it): each
 * namespace gets a finalizer, as a real namespace has its {@code kubernetes} finalizer, so that deleting it leaves it
 * Terminating while everything in it is deleted, custom resources included (their own finalizers run first); then
 * the namespace goes.
 */
final class NamespaceController implements StandIn {
  static final String FINALIZER = "e2e.etcdoperator.dev/namespace-controller";
  private static final Logger LOG = LoggerFactory.getLogger(NamespaceController.class);

  private final KubernetesClient client;
  private final StandInLoop loop = new StandInLoop("namespace-standin");

  NamespaceController(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public void start() {
    loop.every(Duration.ofMillis(250), () -> client.namespaces().list().getItems().forEach(this::reconcile));
  }

  private void reconcile(Namespace namespace) {
    String name = namespace.getMetadata().getName();
    List<String> finalizers = namespace.getMetadata().getFinalizers();
    if (namespace.getMetadata().getDeletionTimestamp() == null) {
      if (!finalizers.contains(FINALIZER)) {
        client.namespaces().withName(name).edit(n -> {
          n.getMetadata().getFinalizers().add(FINALIZER);
          return n;
        });
      }
      return;
    }
    if (!finalizers.contains(FINALIZER)) {
      return;
    }
    long left = deleteAll(client.resources(EtcdCluster.class), name) + deleteAll(client.resources(EtcdBackup.class),
        name) + deleteAll(client.apps().statefulSets(), name) + deleteAll(client.pods(), name)
        + deleteAll(client.persistentVolumeClaims(), name) + deleteAll(client.services(), name)
        + deleteAll(client.configMaps(), name) + deleteAll(client.secrets(), name)
        + deleteAll(client.policy().v1().podDisruptionBudget(), name);
    if (left == 0) {
      client.namespaces().withName(name).edit(n -> {
        n.getMetadata().getFinalizers().remove(FINALIZER);
        return n;
      });
      LOG.info("namespace {} emptied and deleted", name);
    }
  }

  /** Deletes what is not being deleted yet; returns how many objects are left (being deleted or not). */
  private static <T extends HasMetadata, L extends KubernetesResourceList<T>> long deleteAll(
      MixedOperation<T, L, ?> kind, String namespace) {
    List<T> objects = kind.inNamespace(namespace).list().getItems();
    for (T object : objects) {
      if (object.getMetadata().getDeletionTimestamp() == null) {
        try {
          kind.inNamespace(namespace).resource(object).delete();
        } catch (KubernetesClientException e) {
          LOG.debug("deleting {} failed (retrying): {}", object.getMetadata().getName(), e.getMessage());
        }
      }
    }
    return objects.size();
  }

  @Override
  public void close() {
    loop.stop();
  }
}
