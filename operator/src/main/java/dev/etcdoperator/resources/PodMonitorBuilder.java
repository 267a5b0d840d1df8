package dev.etcdoperator.resources;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.util.List;
import java.util.Map;

/**
 * The Prometheus Operator's PodMonitor for a cluster's members (spec.monitoring.podMonitor): etcd's metrics from
 * each member's plain-HTTP port, which needs no client certificate, with the labels the alert rules in
 * deploy/monitoring use: job "etcd", cluster from the instance label, and the namespace and pod Prometheus adds.
 * A generic object: Fabric8 has no model of monitoring.coreos.com, and the operator needs none beyond this.
 */
public final class PodMonitorBuilder {
  public static final String GROUP = "monitoring.coreos.com";
  public static final String VERSION = "v1";
  public static final String API_VERSION = GROUP + "/" + VERSION;
  public static final String KIND = "PodMonitor";
  public static final String PLURAL = "podmonitors";
  /** The CRD whose presence tells that the API server serves PodMonitors. */
  public static final String CRD_NAME = PLURAL + "." + GROUP;
  public static final String JOB = "etcd";

  private PodMonitorBuilder() {}

  public static String name(String cluster) {
    return cluster + "-members";
  }

  public static GenericKubernetesResource build(EtcdCluster cluster) {
    String name = cluster.getMetadata().getName();
    Map<String, Object> endpoint = Map.of(
        "port", MemberContainerBuilder.METRICS_PORT_NAME,
        "path", "/metrics",
        "scheme", "http",
        "relabelings", List.of(
            Map.of("targetLabel", "job", "replacement", JOB),
            Map.of("sourceLabels", List.of("__meta_kubernetes_pod_label_app_kubernetes_io_instance"),
                "targetLabel", "cluster")));
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(API_VERSION)
        .withKind(KIND)
        .withMetadata(OwnedMetadata.of(cluster, name(name)))
        .addToAdditionalProperties("spec", Map.of(
            "selector", Map.of("matchLabels", new ClusterLabels(name).selector()),
            "podMetricsEndpoints", List.of(endpoint)))
        .build();
  }
}
