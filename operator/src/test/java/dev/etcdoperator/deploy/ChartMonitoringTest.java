package dev.etcdoperator.deploy;

import static dev.etcdoperator.deploy.DeployManifests.SERIALIZATION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The switches for prometheus-operator objects, the Grafana dashboard and the NetworkPolicy: off by default (the
 * chart then renders no object of a CRD the cluster may lack), and, when on, objects that fit the metrics Service.
 */
class ChartMonitoringTest {
  private static final String NAME = RenderedChart.RELEASE;

  @Test
  void offByDefault() {
    assertThat(RenderedChart.render(Map.of()).kinds()).containsExactly(
        "ClusterRole/" + NAME, "ClusterRoleBinding/" + NAME,
        "CustomResourceDefinition/etcdbackups.etcdoperator.dev", "CustomResourceDefinition/etcdclusters.etcdoperator.dev",
        "Deployment/" + NAME, "Role/" + NAME + "-leader-election", "RoleBinding/" + NAME + "-leader-election",
        "Service/" + NAME + "-metrics", "ServiceAccount/" + NAME);
  }

  @Test
  void onTheyScrapeTheMetricsServiceAndShipTheRulesAndDashboard() {
    RenderedChart rendered = RenderedChart.render(MonitoringFixtures.ALL_ON);

    Service service = rendered.one(Service.class, NAME + "-metrics");
    GenericKubernetesResource monitor = generic(rendered, "ServiceMonitor");
    Map<String, Object> spec = spec(monitor);
    @SuppressWarnings("unchecked")
    Map<String, String> selector = (Map<String, String>) ((Map<String, Object>) spec.get("selector")).get("matchLabels");
    assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(selector);
    assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
    @SuppressWarnings("unchecked")
    Map<String, Object> endpoint = ((List<Map<String, Object>>) spec.get("endpoints")).get(0);
    assertThat(endpoint).containsEntry("port", service.getSpec().getPorts().get(0).getName())
        .containsEntry("path", "/metrics");

    assertThat(spec(generic(rendered, "PrometheusRule"))).isEqualTo(ChartMonitoringFiles.deployRuleSpec());
    assertThat(SERIALIZATION.unmarshal(rendered.one(ConfigMap.class, NAME + "-dashboard").getData()
        .get("etcd-operator.json"), Map.class))
        .isEqualTo(SERIALIZATION.unmarshal(ChartMonitoringFiles.read(ChartMonitoringFiles.DEPLOY_DASHBOARD),
            Map.class));
    assertThat(rendered.one(ConfigMap.class, NAME + "-dashboard").getMetadata().getLabels())
        .containsEntry("grafana_dashboard", "1");
  }

  @Test
  void networkPolicyLetsInOnlyTheHttpPortAndOutOnlyWhatTheOperatorTalksTo() {
    RenderedChart rendered = RenderedChart.render(MonitoringFixtures.ALL_ON);
    NetworkPolicy policy = rendered.one(NetworkPolicy.class, NAME);
    assertThat(rendered.one(Deployment.class, NAME).getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(policy.getSpec().getPodSelector().getMatchLabels());
    assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
    assertThat(policy.getSpec().getIngress()).singleElement().satisfies(rule -> assertThat(rule.getPorts())
        .extracting(p -> p.getPort().getStrVal()).containsExactly("health"));
    List<Integer> egressPorts = policy.getSpec().getEgress().stream().flatMap(rule -> rule.getPorts().stream())
        .map(NetworkPolicyPort::getPort).map(p -> p.getIntVal()).distinct().toList();
    assertThat(egressPorts).containsExactlyInAnyOrder(53, 2379, 443, 6443);
    assertThat(policy.getSpec().getEgress()).flatExtracting(rule -> rule.getTo())
        .filteredOn(peer -> peer.getIpBlock() != null).extracting(peer -> peer.getIpBlock().getCidr())
        .containsExactlyInAnyOrder("10.96.0.1/32", "0.0.0.0/0");

    NetworkPolicy ingressOnly = RenderedChart.render(Map.of("networkPolicy", Map.of("enabled", true)))
        .one(NetworkPolicy.class, NAME);
    assertThat(ingressOnly.getSpec().getPolicyTypes()).containsExactly("Ingress");
    assertThat(ingressOnly.getSpec().getEgress()).isEmpty();
  }

  @Test
  void switchedOnWithoutTheAssetsTheChartSaysWhichFileIsMissing() {
    ChartCopy withoutAssets = ChartCopy.of(RenderedChart.CHART).withoutFile("files/monitoring/prometheus-rules.yaml")
        .withoutFile("files/monitoring/dashboard.json");
    assertThatThrownBy(() -> RenderedChart.render(withoutAssets.dir, Map.of("metrics", Map.of("prometheusRule",
        Map.of("enabled", true))))).hasMessageContaining("files/monitoring/prometheus-rules.yaml");
    assertThatThrownBy(() -> RenderedChart.render(withoutAssets.dir, Map.of("metrics", Map.of("dashboard",
        Map.of("enabled", true))))).hasMessageContaining("files/monitoring/dashboard.json");
    assertThatThrownBy(() -> RenderedChart.render(Map.of("metrics", Map.of("service", Map.of("enabled", false),
        "serviceMonitor", Map.of("enabled", true))))).hasMessageContaining("metrics.service.enabled");
  }

  private static GenericKubernetesResource generic(RenderedChart rendered, String kind) {
    return rendered.all(GenericKubernetesResource.class).stream().filter(r -> r.getKind().equals(kind)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " rendered: " + rendered.kinds()));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource resource) {
    return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
  }
}
