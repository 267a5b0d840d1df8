package dev.etcdoperator.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * values.schema.json and the chart's own checks: a misspelt key or a value of the wrong type fails helm with a
 * message naming it, instead of being ignored; and `helm lint --strict` passes in every supported shape.
 */
class ChartValuesSchemaTest {
  @Test
  void lintsStrictlyWithTheDefaultValues() {
    assertLintsStrictly(new Helm(RenderedChart.CHART).lint().strict().call());
  }

  @Test
  void lintsStrictlyWithNamespacedRbacAndWithMonitoringOn() {
    ChartCopy namespaced = ChartCopy.of(RenderedChart.CHART).withValues(Map.of(
        "rbac", Map.of("scope", "namespaces"), "watchNamespaces", List.of("etcd", "apps")));
    assertLintsStrictly(new Helm(namespaced.dir).lint().strict().call());

    ChartCopy monitored = ChartCopy.of(RenderedChart.CHART)
        .withValues(MonitoringFixtures.ALL_ON);
    assertLintsStrictly(new Helm(monitored.dir).lint().strict().call());
  }

  @Test
  void lintFailsOnValuesTheSchemaRefusesAndSaysWhichKey() {
    LintResult result = new Helm(ChartCopy.of(RenderedChart.CHART).withValues(Map.of("replicas", 3,
        "crds", Map.of("install", "yes"))).dir).lint().strict().call();
    assertThat(result.isFailed()).isTrue();
    assertThat(String.join("\n", result.getMessages())).contains("additional properties 'replicas' not allowed")
        .contains("at '/crds/install': got string, want boolean");
  }

  @Test
  void anUnknownKeyIsRefusedByName() {
    assertRefused(Map.of("replicas", 3), "at '': additional properties 'replicas' not allowed");
    assertRefused(Map.of("image", Map.of("repo", "example.com/op")),
        "at '/image': additional properties 'repo' not allowed");
    assertRefused(Map.of("operator", Map.of("memberAcess", "direct")),
        "at '/operator': additional properties 'memberAcess' not allowed");
  }

  @Test
  void aValueOfTheWrongTypeIsRefusedByName() {
    assertRefused(Map.of("replicaCount", "two"), "at '/replicaCount': got string, want integer");
    assertRefused(Map.of("crds", Map.of("install", "yes")), "at '/crds/install': got string, want boolean");
    assertRefused(Map.of("watchNamespaces", "etcd"), "at '/watchNamespaces': got string, want array");
    assertRefused(Map.of("operator", Map.of("memberAccess", "sometimes")), "at '/operator/memberAccess'");
    assertRefused(Map.of("image", Map.of("digest", "latest")), "at '/image/digest': 'latest' does not match");
  }

  @Test
  void settingsThatOnlyWorkTogetherAreCheckedTogether() {
    assertRefused(Map.of("rbac", Map.of("scope", "namespaces")), "at '/watchNamespaces': minItems: got 0, want 1");
    assertRefused(Map.of("leaderElection", Map.of("enabled", false)),
        "replicaCount > 1 needs leaderElection.enabled: true");
    assertThat(RenderedChart.render(Map.of("leaderElection", Map.of("enabled", false), "replicaCount", 1))
        .kinds()).isNotEmpty();
  }

  private static void assertRefused(Map<String, Object> values, String message) {
    assertThatThrownBy(() -> RenderedChart.render(values)).as("values %s", values).hasMessageContaining(message);
  }

  private static void assertLintsStrictly(LintResult result) {
    assertThat(result.isFailed()).as("%s", result.getMessages()).isFalse();
    // Strict lint fails on warnings; what is left are informational notes (no icon: the chart is not published).
    assertThat(result.getMessages()).allSatisfy(message -> assertThat(message).startsWith("[INFO]"));
  }
}
