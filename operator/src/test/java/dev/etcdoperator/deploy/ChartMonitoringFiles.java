package dev.etcdoperator.deploy;

import static dev.etcdoperator.deploy.DeployManifests.SERIALIZATION;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The monitoring assets both installs ship: deploy/monitoring's PrometheusRule and Grafana dashboard, and the copies
 * the chart embeds from files/monitoring/ (the rule's spec alone, the dashboard as is).
 */
final class ChartMonitoringFiles {
  static final Path DEPLOY = Path.of("..", "deploy", "monitoring");
  static final Path DEPLOY_RULE = DEPLOY.resolve("prometheusrule.yaml");
  static final Path DEPLOY_DASHBOARD = DEPLOY.resolve("grafana-dashboard.json");
  static final Path CHART_RULES = RenderedChart.CHART.resolve("files/monitoring/prometheus-rules.yaml");
  static final Path CHART_DASHBOARD = RenderedChart.CHART.resolve("files/monitoring/dashboard.json");

  private ChartMonitoringFiles() {
  }

  /** The {@code spec} of deploy/monitoring's PrometheusRule: its rule groups. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> deployRuleSpec() {
    return (Map<String, Object>) SERIALIZATION.unmarshal(read(DEPLOY_RULE), Map.class).get("spec");
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> chartRules() {
    return SERIALIZATION.unmarshal(read(CHART_RULES), Map.class);
  }

  /** Writes the chart's copies from deploy/monitoring (the generated header says where they come from). */
  static void update() {
    write(CHART_RULES, "# Generated from deploy/monitoring/prometheusrule.yaml (its spec) by the build: edit that file"
        + " and run ChartMonitoringFilesTest with -Dchart.update=true.\n" + SERIALIZATION.asYaml(deployRuleSpec())
        .replaceFirst("^---\n", ""));
    write(CHART_DASHBOARD, read(DEPLOY_DASHBOARD));
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, String content) {
    try {
      Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
