package dev.etcdoperator.deploy;

import java.util.Map;

/** Chart values that switch every monitoring object on (and the NetworkPolicy with its egress rules). */
final class MonitoringFixtures {
  private MonitoringFixtures() {
  }

  static final Map<String, Object> ALL_ON = Map.of("metrics", Map.of(
      "serviceMonitor", Map.of("enabled", true, "labels", Map.of("release", "prometheus")),
      "prometheusRule", Map.of("enabled", true),
      "dashboard", Map.of("enabled", true)),
      "networkPolicy", Map.of("enabled", true, "egress", Map.of("enabled", true,
          "apiServer", Map.of("cidrs", java.util.List.of("10.96.0.1/32")))));
}
