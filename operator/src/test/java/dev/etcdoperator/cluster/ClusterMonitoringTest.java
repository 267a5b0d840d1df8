package dev.etcdoperator.cluster;

import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.MONITORING_READY;
import static dev.etcdoperator.testing.OperatorTestEnvironment.WAIT;
import static dev.etcdoperator.testing.OperatorTestEnvironment.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.MonitoringSpec;
import dev.etcdoperator.resources.ClusterLabels;
import dev.etcdoperator.resources.PodMonitorBuilder;
import dev.etcdoperator.support.ConditionSet;
import dev.etcdoperator.testing.OperatorTestEnvironment;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import org.assertj.core.api.InstanceOfAssertFactories;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * spec.monitoring.podMonitor against the API stand-in: with the Prometheus Operator's CRD the operator keeps a
 * PodMonitor that selects the member pods by their metrics port and labels series as the alert rules expect, owned
 * by the cluster, and deletes it when the field is turned off (not while the cluster is paused); without the CRD it
 * makes none and says why in MonitoringReady while the cluster is reconciled as usual.
 */
class ClusterMonitoringTest {
  private static final String WITH_CRD = "podmonitor-test";
  private static final String WITHOUT_CRD = "no-podmonitor-test";
  private static final ResourceDefinitionContext POD_MONITORS = new ResourceDefinitionContext.Builder()
      .withGroup(PodMonitorBuilder.GROUP).withVersion(PodMonitorBuilder.VERSION).withKind(PodMonitorBuilder.KIND)
      .withPlural(PodMonitorBuilder.PLURAL).withNamespaced(true).build();

  @Test
  void withThePrometheusOperatorsCrdAPodMonitorScrapesTheMembersAndGoesWhenTurnedOff() {
    try (OperatorTestEnvironment env = new OperatorTestEnvironment(WITH_CRD)) {
      installPodMonitorCrd(env);
      env.create("scraped", c -> c.getSpec().setMonitoring(podMonitor(true)));

      await().atMost(WAIT).untilAsserted(() -> {
        Condition ready = condition(env.status("scraped"), MONITORING_READY);
        assertThat(ready.getStatus()).isEqualTo("True");
        assertThat(ready.getReason()).isEqualTo("PodMonitorCreated");
      });
      GenericKubernetesResource monitor = podMonitor(env, WITH_CRD, "scraped-members");
      assertThat(monitor).isNotNull();
      EtcdCluster cluster = env.resource("scraped").get();
      OwnerReference owner = monitor.getMetadata().getOwnerReferences().get(0);
      assertThat(owner.getUid()).isEqualTo(cluster.getMetadata().getUid());
      assertThat(owner.getController()).isTrue();
      assertThat(monitor.getMetadata().getLabels()).containsEntry(ClusterLabels.INSTANCE, "scraped");

      Map<String, Object> spec = monitor.get("spec");
      StatefulSet members = env.get(StatefulSet.class, "scraped");
      assertThat(monitor.<Map<String, String>>get("spec", "selector", "matchLabels"))
          .isEqualTo(members.getSpec().getSelector().getMatchLabels());
      Map<String, Object> endpoint = monitor.<List<Map<String, Object>>>get("spec", "podMetricsEndpoints").get(0);
      List<ContainerPort> ports = members.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts();
      assertThat(ports).filteredOn(p -> p.getName().equals(endpoint.get("port")))
          .extracting(ContainerPort::getContainerPort).as("the port the PodMonitor names").containsExactly(2381);
      assertThat(endpoint).containsEntry("scheme", "http").containsEntry("path", "/metrics");
      assertThat(endpoint.get("relabelings")).asInstanceOf(InstanceOfAssertFactories.LIST)
          .contains(Map.of("targetLabel", "job", "replacement", "etcd"),
              Map.of("sourceLabels", List.of("__meta_kubernetes_pod_label_app_kubernetes_io_instance"),
                  "targetLabel", "cluster"));
      assertThat(spec).containsOnlyKeys("selector", "podMetricsEndpoints");

      // Idle, the cluster is reconciled every resync interval (2 s here); its PodMonitor is not read each time.
      String reads = "GET " + PodMonitorBuilder.GROUP + "/" + PodMonitorBuilder.PLURAL;
      long readsSoFar = env.operatorRequests().getOrDefault(reads, 0L);
      await("no PodMonitor read over three resync intervals").during(Duration.ofSeconds(6))
          .atMost(Duration.ofSeconds(10)).until(() -> env.operatorRequests().getOrDefault(reads, 0L) == readsSoFar);

      // Paused, the cluster's objects stay as they are: turning the field off waits for the pause to end.
      env.editSpec("scraped", c -> {
        c.getSpec().setPaused(true);
        c.getSpec().setMonitoring(podMonitor(false));
        return c;
      });
      await().atMost(WAIT).until(() -> env.resource("scraped").get().getMetadata().getGeneration()
          .equals(env.status("scraped").getObservedGeneration()));
      assertThat(podMonitor(env, WITH_CRD, "scraped-members")).as("kept while paused").isNotNull();
      assertThat(condition(env.status("scraped"), MONITORING_READY).getStatus()).isEqualTo("True");

      env.editSpec("scraped", c -> {
        c.getSpec().setPaused(false);
        return c;
      });
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(podMonitor(env, WITH_CRD, "scraped-members")).isNull();
        assertThat(ConditionSet.find(env.status("scraped").getConditions(), MONITORING_READY)).isEmpty();
      });
    }
  }

  @Test
  void withoutTheCrdNoPodMonitorIsMadeAndTheConditionSaysWhy() {
    try (OperatorTestEnvironment env = new OperatorTestEnvironment(WITHOUT_CRD)) {
      env.create("unscraped", c -> c.getSpec().setMonitoring(podMonitor(true)));

      await().atMost(WAIT).untilAsserted(() -> {
        Condition ready = condition(env.status("unscraped"), MONITORING_READY);
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("PodMonitorCRDMissing");
        assertThat(ready.getMessage()).contains("podmonitors.monitoring.coreos.com");
      });
      assertThat(env.get(StatefulSet.class, "unscraped")).as("the cluster is made all the same").isNotNull();
      assertThat(podMonitor(env, WITHOUT_CRD, "unscraped-members")).isNull();
    }
  }

  private static MonitoringSpec podMonitor(boolean on) {
    MonitoringSpec monitoring = new MonitoringSpec();
    monitoring.setPodMonitor(on);
    return monitoring;
  }

  private static GenericKubernetesResource podMonitor(OperatorTestEnvironment env, String namespace, String name) {
    return env.client().genericKubernetesResources(POD_MONITORS).inNamespace(namespace).withName(name).get();
  }

  /** The Prometheus Operator's PodMonitor CRD, as far as the API stand-in needs it to exist. */
  private static void installPodMonitorCrd(OperatorTestEnvironment env) {
    env.client().apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
        .withNewMetadata().withName(PodMonitorBuilder.CRD_NAME).endMetadata()
        .withNewSpec().withGroup(PodMonitorBuilder.GROUP).withScope("Namespaced")
        .withNewNames().withKind(PodMonitorBuilder.KIND).withPlural(PodMonitorBuilder.PLURAL).endNames()
        .addNewVersion().withName(PodMonitorBuilder.VERSION).withServed(true).withStorage(true)
        .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
        .endOpenAPIV3Schema().endSchema().endVersion()
        .endSpec().build()).create();
  }
}
