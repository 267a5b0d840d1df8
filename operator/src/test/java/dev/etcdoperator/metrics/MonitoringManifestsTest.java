package dev.etcdoperator.metrics;

import static dev.etcdoperator.testing.OperatorTestEnvironment.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.etcdoperator.resources.PodMonitorBuilder;
import dev.etcdoperator.testing.EtcdProcessCluster;
import dev.etcdoperator.testing.OperatorPerClass;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules and the dashboard under deploy/monitoring read only series that exist: the operator's (as a
 * running operator serves them, plus the cluster gauges and counters its code declares, some of which appear only
 * with backups or members) and etcd's own, as real etcd members serve them. Each alert has a runbook section in
 * docs/monitoring.md.
 */
class MonitoringManifestsTest {
  private static final Path MONITORING = Path.of("..", "deploy", "monitoring");
  private static final Path RUNBOOKS = Path.of("..", "docs", "monitoring.md");
  private static final String NS = "monitoring-test";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern DURATION = Pattern.compile("(\\d+[smhdwy])+");
  /** Prometheus writes {@code up} for every target it scrapes; no target exports it. */
  private static final String PROMETHEUS_UP = "up";
  private static final Set<String> REQUIRED_ALERTS = Set.of("etcdMembersDown", "etcdInsufficientMembers",
      "etcdNoLeader", "etcdHighNumberOfLeaderChanges", "etcdDatabaseQuotaLowSpace", "etcdExcessiveDatabaseGrowth",
      "etcdDatabaseHighFragmentationRatio", "EtcdClusterNotReady", "EtcdClusterRolloutStalled",
      "EtcdClusterBackupTooOld", "EtcdCertificateExpiringSoon", "EtcdCACertificateExpiringSoon", "EtcdNoSpaceAlarm",
      "EtcdDatabaseAboveQuotaShare", "EtcdOperatorDown");

  @RegisterExtension
  static final OperatorPerClass OPERATOR = new OperatorPerClass(NS);
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Set<String> OPERATOR_SERIES = new TreeSet<>();
  private static final Set<String> ETCD_SERIES = new TreeSet<>();

  @BeforeAll
  static void scrapeTheOperatorAndRealEtcd(@TempDir Path dir) throws Exception {
    // A cluster with no member behind it still gets its gauges; JOSDK's meters appear with its reconciles.
    OPERATOR.env().create("names", c -> {});
    await().atMost(WAIT).untilAsserted(() -> assertThat(PrometheusText.sampleNames(scrape(OPERATOR.env()
        .metricsUrl()))).contains(ClusterGauge.MEMBERS.prometheusName(), "operator_sdk_reconciliations_started_total",
        "operator_sdk_reconciliations_success_total", "operator_sdk_controllers_execution_reconcile_seconds_bucket"));
    // The GC pause timer appears with the first collection, as in any operator that has run a while.
    System.gc();
    await().atMost(WAIT).untilAsserted(() -> assertThat(PrometheusText.sampleNames(scrape(OPERATOR.env()
        .metricsUrl()))).contains("jvm_gc_pause_seconds_count"));
    OPERATOR_SERIES.addAll(PrometheusText.sampleNames(scrape(OPERATOR.env().metricsUrl())));
    try (EtcdProcessCluster etcd = EtcdProcessCluster.builder(dir).members(3).namePrefix("names").start()) {
      for (int i = 0; i < 3; i++) {
        ETCD_SERIES.addAll(PrometheusText.sampleNames(scrape(etcd.metricsUrl(i).resolve("/metrics"))));
      }
    }
    assertThat(ETCD_SERIES).contains("etcd_server_has_leader", "etcd_mvcc_db_total_size_in_bytes");
  }

  @Test
  void everyAlertHasItsShapeSeverityAndARunbookSection() throws IOException {
    JsonNode rule = YAML.readTree(MONITORING.resolve("prometheusrule.yaml").toFile());
    assertThat(rule.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(rule.path("kind").asText()).isEqualTo("PrometheusRule");
    assertThat(rule.path("metadata").path("name").asText()).isNotBlank();
    Set<String> anchors = runbookAnchors();
    Map<String, JsonNode> alerts = alerts(rule);
    assertThat(alerts.keySet()).containsAll(REQUIRED_ALERTS);
    alerts.forEach((name, alert) -> {
      assertThat(alert.path("expr").asText()).as(name).isNotBlank();
      assertThat(alert.path("for").asText()).as(name).matches(DURATION);
      assertThat(alert.path("labels").path("severity").asText()).as(name).isIn("warning", "critical");
      assertThat(alert.path("annotations").path("summary").asText()).as(name).isNotBlank();
      assertThat(alert.path("annotations").path("description").asText()).as(name).isNotBlank();
      String runbook = alert.path("annotations").path("runbook_url").asText();
      assertThat(runbook).as(name).isEqualTo("docs/monitoring.md#" + name.toLowerCase(Locale.ROOT));
      assertThat(anchors).as("runbook sections of docs/monitoring.md").contains(runbook.substring(
          runbook.indexOf('#') + 1));
      assertThat(alert.fieldNames()).toIterable().as(name).isSubsetOf("alert", "expr", "for", "labels",
          "annotations", "keep_firing_for");
    });
  }

  @Test
  void everyAlertReadsSeriesTheOperatorOrEtcdServes() throws IOException {
    Set<String> known = knownSeries();
    Map<String, Set<String>> unknown = new LinkedHashMap<>();
    alerts(YAML.readTree(MONITORING.resolve("prometheusrule.yaml").toFile())).forEach((name, alert) -> {
      Set<String> read = PromqlMetricNames.of(alert.path("expr").asText());
      assertThat(read).as("series %s reads", name).isNotEmpty();
      Set<String> missing = new TreeSet<>(read);
      missing.removeAll(known);
      if (!missing.isEmpty()) {
        unknown.put(name, missing);
      }
    });
    assertThat(unknown).as("series no target serves (operator: %s; etcd: %s)", OPERATOR_SERIES, ETCD_SERIES)
        .isEmpty();
  }

  @Test
  void everyDashboardQueryReadsSeriesTheOperatorOrEtcdServes() throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(MONITORING.resolve("grafana-dashboard.json").toFile());
    assertThat(dashboard.path("title").asText()).isNotBlank();
    assertThat(dashboard.path("uid").asText()).isNotBlank();
    List<String> expressions = new ArrayList<>();
    dashboard.path("panels").forEach(panel -> {
      assertThat(panel.path("title").asText()).isNotBlank();
      panel.path("targets").forEach(target -> expressions.add(target.path("expr").asText()));
    });
    // Template variables: label_values(metric, label).
    Pattern labelValues = Pattern.compile("label_values\\(([a-zA-Z_:][a-zA-Z0-9_:]*)");
    dashboard.path("templating").path("list").forEach(variable -> {
      Matcher m = labelValues.matcher(variable.path("query").isObject()
          ? variable.path("query").path("query").asText() : variable.path("query").asText());
      if (m.find()) {
        expressions.add(m.group(1));
      }
    });
    assertThat(expressions).hasSizeGreaterThan(10).doesNotContain("");
    Set<String> known = knownSeries();
    Set<String> missing = new TreeSet<>();
    for (String expression : expressions) {
      // Grafana's own variables are not PromQL: $__rate_interval and friends read as durations.
      for (String name : PromqlMetricNames.of(expression.replaceAll("\\$__\\w+", "5m")
          .replaceAll("\\$(\\w+)", "$1"))) {
        if (!known.contains(name)) {
          missing.add(name);
        }
      }
    }
    assertThat(missing).as("series no target serves").isEmpty();
  }

  @Test
  void theOperatorsScrapeObjectsReachItsPortWithTheJobTheAlertsUse() throws IOException {
    JsonNode deployment = YAML.readTree(Path.of("..", "deploy", "operator", "deployment.yaml").toFile());
    JsonNode podLabels = deployment.path("spec").path("template").path("metadata").path("labels");
    JsonNode container = deployment.path("spec").path("template").path("spec").path("containers").get(0);
    JsonNode service = YAML.readTree(MONITORING.resolve("operator-metrics-service.yaml").toFile());
    JsonNode monitor = YAML.readTree(MONITORING.resolve("operator-servicemonitor.yaml").toFile());

    assertThat(service.path("metadata").path("namespace").asText())
        .isEqualTo(deployment.path("metadata").path("namespace").asText())
        .isEqualTo(monitor.path("metadata").path("namespace").asText());
    service.path("spec").path("selector").fields().forEachRemaining(label ->
        assertThat(podLabels.path(label.getKey()).asText()).as(label.getKey()).isEqualTo(label.getValue().asText()));
    JsonNode servicePort = service.path("spec").path("ports").get(0);
    List<String> containerPorts = new ArrayList<>();
    container.path("ports").forEach(p -> containerPorts.add(p.path("name").asText()));
    assertThat(containerPorts).contains(servicePort.path("targetPort").asText());
    container.path("env").forEach(env -> {
      if (env.path("name").asText().equals("HEALTH_PORT")) {
        assertThat(servicePort.path("port").asInt()).isEqualTo(Integer.parseInt(env.path("value").asText()));
      }
    });

    monitor.path("spec").path("selector").path("matchLabels").fields().forEachRemaining(label ->
        assertThat(service.path("metadata").path("labels").path(label.getKey()).asText()).as(label.getKey())
            .isEqualTo(label.getValue().asText()));
    JsonNode endpoint = monitor.path("spec").path("endpoints").get(0);
    assertThat(endpoint.path("port").asText()).isEqualTo(servicePort.path("name").asText());
    assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
    assertThat(endpoint.path("honorLabels").asBoolean()).as("cluster series keep their own namespace label").isTrue();
    assertThat(endpoint.path("relabelings").toString()).contains("\"targetLabel\":\"job\"",
        "\"replacement\":\"etcd-operator\"");
    assertThat(Files.readString(MONITORING.resolve("prometheusrule.yaml"))).contains("up{job=\"etcd-operator\"}")
        .contains("{job=\"" + PodMonitorBuilder.JOB + "\"}");
  }

  @Test
  void theTokenizerFindsMetricNamesAndNothingElse() {
    assertThat(PromqlMetricNames.of("max by (namespace, cluster) (sum by (namespace) (up{job=\"etcd\"} == bool 0)"
        + " or (a_members - b_healthy)) > 0")).containsExactly("up", "a_members", "b_healthy");
    assertThat(PromqlMetricNames.of("predict_linear(x_bytes{job=\"etcd\"}[1h], 4 * 3600) > on (namespace, pod) "
        + "y_bytes offset 5m")).containsExactly("x_bytes", "y_bytes");
    assertThat(PromqlMetricNames.of("a / on (ns) group_left (member) b > 0.8 and absent(c{l=~\"x|y\"})"))
        .containsExactly("a", "b", "c");
    assertThat(PromqlMetricNames.of("rate(x_total[$__rate_interval]) * 1e3".replace("$__rate_interval", "5m")))
        .containsExactly("x_total");
  }

  private static Set<String> knownSeries() {
    Set<String> known = new HashSet<>(OPERATOR_SERIES);
    known.addAll(ETCD_SERIES);
    known.add(PROMETHEUS_UP);
    // Declared by the code, served once there is something to count or report (a backup, a member...).
    for (ClusterGauge gauge : ClusterGauge.values()) {
      known.add(gauge.prometheusName());
    }
    known.add(ClusterMetrics.LEADER_CHANGES + "_total");
    EventCounters.COUNTED.values().forEach(c -> known.add(c.counter() + "_total"));
    known.add(EventCounters.FAILURES + "_total");
    return known;
  }

  private static Map<String, JsonNode> alerts(JsonNode rule) {
    Map<String, JsonNode> alerts = new LinkedHashMap<>();
    assertThat(rule.path("spec").path("groups").size()).isPositive();
    rule.path("spec").path("groups").forEach(group -> {
      assertThat(group.path("name").asText()).isNotBlank();
      assertThat(group.path("rules").size()).isPositive();
      group.path("rules").forEach(r -> {
        String name = r.path("alert").asText();
        assertThat(name).matches("[A-Za-z][A-Za-z0-9]*");
        assertThat(alerts.put(name, r)).as("alert %s defined twice", name).isNull();
      });
    });
    return alerts;
  }

  /** GitHub's anchors of the headings of docs/monitoring.md. */
  private static Set<String> runbookAnchors() throws IOException {
    Set<String> anchors = new HashSet<>();
    for (String line : Files.readAllLines(RUNBOOKS)) {
      if (line.startsWith("#")) {
        anchors.add(line.replaceFirst("^#+\\s*", "").trim().toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
      }
    }
    return anchors;
  }

  private static Map<String, PrometheusText.Family> scrape(URI url) throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(url).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(url.toString()).isEqualTo(200);
    return PrometheusText.parse(response.body());
  }
}
