package dev.etcdoperator.e2e;

import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.resources.BootstrapConfig.InitialClusterState;
import dev.etcdoperator.resources.BootstrapConfigMapBuilder;
import dev.etcdoperator.resources.ClusterLabels;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.stream.Stream;
import org.hamcrest.Matchers;

/**
 * The time to Ready of N one-member clusters without the operator, on the same Kubernetes: the objects the operator
 * made for them (Secrets with its certificates, the bootstrap ConfigMap, the Services, the StatefulSet), copied once
 * the clusters had formed, and applied again by a plain loop after the clusters are gone, until each member pod is
 * Ready. Every pod runs as the operator's did, through the same StatefulSet and kubelet stand-ins, so what the
 * operator adds to a bootstrap is its time to Ready minus this one.
 */
final class KubernetesFloor {
  private final KubernetesClient kube;
  private final String namespace;
  private final List<String> clusters;
  private final List<HasMetadata> objects;

  private KubernetesFloor(KubernetesClient kube, String namespace, List<String> clusters, List<HasMetadata> objects) {
    this.kube = kube;
    this.namespace = namespace;
    this.clusters = clusters;
    this.objects = objects;
  }

  /** Copies what the operator made for {@code clusters}, as a first start needs it (initial-cluster-state new). */
  static KubernetesFloor copyOf(KubernetesClient kube, String namespace, List<String> clusters) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String cluster : clusters) {
      owned(kube, namespace, cluster).map(KubernetesFloor::unowned).forEach(objects::add);
    }
    return new KubernetesFloor(kube, namespace, clusters, objects);
  }

  /** The cluster's Secrets, ConfigMaps, Services and StatefulSet, in the order a first start needs them. */
  private static Stream<HasMetadata> owned(KubernetesClient kube, String namespace, String cluster) {
    return Stream.of(kube.secrets(), kube.configMaps(), kube.services(), kube.apps().statefulSets())
        .flatMap(kind -> kind.inNamespace(namespace).withLabel(ClusterLabels.INSTANCE, cluster).list().getItems()
            .stream().map(HasMetadata.class::cast));
  }

  /**
   * Deletes the clusters (the operator still running, so it lets them go), applies the copies with no operator
   * running, and returns the time from the first apply until every cluster's member pod is Ready.
   */
  Duration measure(Scenario scenario) {
    clusters.forEach(scenario::delete);
    await("the clusters gone").atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(500))
        .until(() -> leftOf(kube, namespace, clusters), Matchers.empty());
    scenario.stopOperator();
    double machineCpu = OperatorMemory.machineBusySeconds();
    Instant start = Instant.now();
    objects.forEach(object -> kube.resource(object).inNamespace(namespace).create());
    await("every member pod Ready").atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofMillis(100))
        .until(() -> kube.pods().inNamespace(namespace).list().getItems().stream()
            .filter(StatefulSetController::isReady).count() == clusters.size());
    Duration took = Duration.between(start, Instant.now());
    System.out.printf("Kubernetes floor, %d clusters: every pod Ready in %.1f s, the machine busy %.1f s%n",
        clusters.size(), took.toMillis() / 1000.0, OperatorMemory.machineBusySeconds() - machineCpu);
    return took;
  }

  /**
   * What is left of deleted clusters (any EtcdCluster or pod of the namespace, the clusters' own objects), by kind and
   * name: said in full when a wait for them times out.
   */
  static List<String> leftOf(KubernetesClient kube, String namespace, List<String> clusters) {
    Stream<HasMetadata> left = Stream.concat(Stream.concat(
        kube.resources(EtcdCluster.class).inNamespace(namespace).list().getItems().stream(),
        kube.pods().inNamespace(namespace).list().getItems().stream()),
        clusters.stream().flatMap(cluster -> owned(kube, namespace, cluster)));
    return left.map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList();
  }

  /** The object as a plain script would create it: no owner, no server-set fields, a first start's ConfigMap. */
  private static HasMetadata unowned(HasMetadata live) {
    ObjectMeta meta = live.getMetadata();
    live.setMetadata(new ObjectMetaBuilder().withName(meta.getName()).withNamespace(meta.getNamespace())
        .withLabels(meta.getLabels()).withAnnotations(meta.getAnnotations()).build());
    if (live instanceof Service service) {
      if (!"None".equals(service.getSpec().getClusterIP())) { // a headless one stays headless
        service.getSpec().setClusterIP(null);
        service.getSpec().setClusterIPs(null);
      }
      service.setStatus(null);
    }
    if (live instanceof ConfigMap config && config.getData() != null) {
      config.setData(new HashMap<>(config.getData()));
      config.getData().computeIfPresent(BootstrapConfigMapBuilder.INITIAL_CLUSTER_STATE_KEY,
          (key, state) -> InitialClusterState.NEW.value());
    }
    if (live instanceof StatefulSet statefulSet) {
      statefulSet.setStatus(null);
    }
    return live;
  }
}
