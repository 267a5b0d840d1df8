package dev.etcdoperator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The test parser takes the format as Prometheus does, and refuses what would hide a mistake. */
class PrometheusTextTest {
  @Test
  void readsFamiliesTypesHelpLabelsAndValues() {
    Map<String, PrometheusText.Family> families = PrometheusText.parse("""
        # HELP a_total Things.
        # TYPE a_total counter
        a_total{x="1",y="q\\"uo\\\\te\\n"} 3.0
        # TYPE h histogram
        h_bucket{le="+Inf"} 2
        h_count 2
        h_sum 1.5e3
        g -Inf 1700000000000
        """);
    assertThat(families.get("a_total").type()).isEqualTo("counter");
    assertThat(families.get("a_total").help()).isEqualTo("Things.");
    assertThat(families.get("a_total").samples().get(0).labels()).containsEntry("y", "q\"uo\\te\n");
    assertThat(families.get("h").samples()).hasSize(3);
    assertThat(families.get("h").samples().get(2).value()).isEqualTo(1500.0);
    assertThat(families.get("g").type()).isEqualTo("untyped");
    assertThat(families.get("g").samples().get(0).value()).isEqualTo(Double.NEGATIVE_INFINITY);
  }

  @Test
  void refusesWhatPrometheusWouldNotTake() {
    for (String bad : new String[] {
        "a 1", // no final newline
        "a{x=\"1\"} \n", // no value
        "a{x=1} 1\n", // unquoted label value
        "a{x=\"\\t\"} 1\n", // escape the format does not have
        "1a 1\n", // bad metric name
        "a 1\na 2\n", // the same series twice
        "a 1\nb 1\na{x=\"1\"} 2\n", // a family split up
        "a 1\n# TYPE a gauge\n", // TYPE after samples
        "# TYPE a gauge\n# TYPE a gauge\na 1\n", // TYPE twice
        "# TYPE h histogram\nh_bucket 1\n", // bucket without le
        "a one\n"}) {
      assertThatThrownBy(() -> PrometheusText.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
