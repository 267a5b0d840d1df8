package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.metrics.ClusterGauge;
import dev.etcdoperator.metrics.PrometheusText;
import dev.etcdoperator.metrics.PrometheusText.Family;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator's /metrics while a real cluster changes: during a scale-out from three to five members the
 * membership change shows as in progress, and afterwards the gauges count five voting, healthy members and the
 * counters two additions and two promotions; when the leader's etcd process is killed, a leader change is counted
 * and the cluster's gauges come back to five healthy members with a leader.
 */
@ClassTemplate
@ExtendWith(Backends.class)
class OperatorMetricsTest {
  private static final String NAME = "watched";
  private static final Duration PER_MEMBER = Duration.ofSeconds(60);
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void clusterSeriesFollowAScaleOutAndTheLeadersDeath(Scenario scenario) throws Exception {
    scenario.apply(scenario.tlsCluster(NAME, 3));
    scenario.awaitReady(NAME);
    awaitGauges(scenario, Map.of(ClusterGauge.MEMBERS, 3.0, ClusterGauge.HEALTHY_MEMBERS, 3.0,
        ClusterGauge.HAS_LEADER, 1.0, ClusterGauge.MEMBERSHIP_CHANGE_IN_PROGRESS, 0.0));

    scenario.patch(NAME, c -> {
      c.getSpec().setReplicas(5);
      return c;
    });
    await("a membership change in progress on /metrics").atMost(PER_MEMBER).pollInterval(Duration.ofMillis(100))
        .until(() -> gauge(scenario, ClusterGauge.MEMBERSHIP_CHANGE_IN_PROGRESS) == 1.0);
    scenario.awaitVotingMembers(NAME, 5, PER_MEMBER.multipliedBy(3));
    awaitGauges(scenario, Map.of(ClusterGauge.MEMBERS, 5.0, ClusterGauge.VOTING_MEMBERS, 5.0,
        ClusterGauge.HEALTHY_MEMBERS, 5.0, ClusterGauge.LEARNERS, 0.0, ClusterGauge.DESIRED_MEMBERS, 5.0,
        ClusterGauge.MEMBERSHIP_CHANGE_IN_PROGRESS, 0.0));
    assertThat(counter(scenario, "etcdoperator_membership_changes_total", Map.of("change", "added"))).isEqualTo(2);
    assertThat(counter(scenario, "etcdoperator_membership_changes_total", Map.of("change", "promoted")))
        .isEqualTo(2);

    String leader = scenario.get(NAME).getStatus().getLeader();
    double changesBefore = counter(scenario, "etcdoperator_cluster_leader_changes_seen_total", Map.of());
    scenario.killMember(leader);
    await("a leader change counted after " + leader + " was killed").atMost(PER_MEMBER)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> counter(scenario, "etcdoperator_cluster_leader_changes_seen_total", Map.of()) > changesBefore);
    scenario.awaitReady(NAME);
    awaitGauges(scenario, Map.of(ClusterGauge.HEALTHY_MEMBERS, 5.0, ClusterGauge.HAS_LEADER, 1.0,
        ClusterGauge.MEMBERS, 5.0));
  }

  private void awaitGauges(Scenario scenario, Map<ClusterGauge, Double> expected) {
    await("gauges " + expected).atMost(PER_MEMBER).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      Map<ClusterGauge, Double> seen = new HashMap<>();
      Map<String, Family> scrape = scrape(scenario);
      expected.keySet().forEach(g -> seen.put(g, sample(scrape, scenario, g.prometheusName(), Map.of())));
      assertThat(seen).isEqualTo(expected);
    });
  }

  private double gauge(Scenario scenario, ClusterGauge gauge) throws IOException, InterruptedException {
    return sample(scrape(scenario), scenario, gauge.prometheusName(), Map.of());
  }

  private double counter(Scenario scenario, String name, Map<String, String> labels)
      throws IOException, InterruptedException {
    return sample(scrape(scenario), scenario, name, labels);
  }

  private static double sample(Map<String, Family> scrape, Scenario scenario, String name,
      Map<String, String> labels) {
    Map<String, String> all = new HashMap<>(labels);
    all.put("namespace", scenario.namespace());
    all.put("cluster", NAME);
    return PrometheusText.find(scrape, name, all).map(PrometheusText.Sample::value).orElse(Double.NaN);
  }

  private Map<String, Family> scrape(Scenario scenario) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(scenario.backend().operatorMetricsUrl())
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return PrometheusText.parse(response.body());
  }
}
