package dev.etcdoperator.resources;

import static dev.etcdoperator.testing.TestClusters.version;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Probe;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EtcdProbesTest {

  @ParameterizedTest(name = "{0}: readiness {1}")
  @CsvSource({"3.4.23, /health?exclude=NOSPACE", "3.4.30, /health?exclude=NOSPACE", "3.5.10, /health?exclude=NOSPACE",
      "3.5.11, /readyz", "3.5.21, /readyz",
      "3.6.0, /readyz", "3.6.5, /readyz"})
  void readinessUsesReadyzWhereItExists(String v, String path) {
    Probe probe = EtcdProbes.readiness(version(v));

    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    assertThat(probe.getHttpGet().getScheme()).isEqualTo("HTTP");
    assertThat(probe.getHttpGet().getPort().getIntVal()).isEqualTo(2381);
    assertThat(probe.getTimeoutSeconds()).isPositive();
  }

  @ParameterizedTest(name = "{0}: livez {1}")
  @CsvSource({"3.4.23, false", "3.5.10, false", "3.5.11, true", "3.6.5, true"})
  void livenessNeverNeedsAQuorum(String v, boolean livez) {
    Probe liveness = EtcdProbes.liveness(version(v));
    Probe startup = EtcdProbes.startup(version(v));

    for (Probe probe : new Probe[] {liveness, startup}) {
      if (livez) {
        assertThat(probe.getHttpGet().getPath()).isEqualTo("/livez");
        assertThat(probe.getHttpGet().getPort().getIntVal()).isEqualTo(2381);
        assertThat(probe.getTcpSocket()).isNull();
      } else {
        // /health needs a leader and a quorum read: never a liveness check.
        assertThat(probe.getHttpGet()).isNull();
        assertThat(probe.getTcpSocket().getPort().getIntVal()).isEqualTo(2381);
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"3.4.23", "3.6.5"})
  void startupAllowsMinutesForALargeDatabase(String v) {
    Probe startup = EtcdProbes.startup(version(v));

    assertThat(startup.getFailureThreshold() * startup.getPeriodSeconds()).isGreaterThanOrEqualTo(300);
    Probe liveness = EtcdProbes.liveness(version(v));
    assertThat(liveness.getFailureThreshold() * liveness.getPeriodSeconds()).isGreaterThanOrEqualTo(60);
    assertThat(liveness.getTimeoutSeconds()).isLessThanOrEqualTo(liveness.getPeriodSeconds() * 2);
  }
}
