package dev.etcdoperator.deploy;

import java.util.Map;

/**
 * Stand-ins for the monitoring assets (deploy/monitoring) the chart ships from files/monitoring/ when its switches
 * are on: small but well-formed, so the templates that include them are checked end to end.
 */
final class MonitoringFixtures {
  private MonitoringFixtures() {
  }

  static final Map<String, Object> ALL_ON = Map.of("metrics", Map.of(
      "serviceMonitor", Map.of("enabled", true, "labels", Map.of("release", "prometheus")),
      "prometheusRule", Map.of("enabled", true),
      "dashboard", Map.of("enabled", true)),
      "networkPolicy", Map.of("enabled", true, "egress", Map.of("enabled", true,
          "apiServer", Map.of("cidrs", java.util.List.of("10.96.0.1/32")))));

  static final String RULES = """
      groups:
        - name: etcd-operator
          rules:
            - alert: EtcdClusterNotReady
              expr: max by (namespace, name) (etcd_operator_cluster_ready) == 0
              for: 10m
              labels:
                severity: warning
      """;

  static final String DASHBOARD = """
      {"title": "etcd-operator", "uid": "etcd-operator", "panels": []}
      """;

  static ChartCopy withMonitoringFiles(ChartCopy chart) {
    return chart.withFile("files/monitoring/prometheus-rules.yaml", RULES)
        .withFile("files/monitoring/dashboard.json", DASHBOARD);
  }
}
