package dev.etcdoperator.e2e;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pausing (SIGSTOP) two of three members loses quorum: the {@link AvailabilityProbe} must see it (this is what makes
 * {@link MemberKillTest}'s availability check able to fail), and resuming them (SIGCONT) brings the cluster back
 * with its data, without container restarts.
 */
@ClassTemplate
@ExtendWith(Backends.class)
class QuorumLossPauseTest {
  private static final Logger LOG = LoggerFactory.getLogger(QuorumLossPauseTest.class);
  private static final String NAME = "main";

  @Test
  void probeSeesTheOutageAndTheClusterRecoversOnResume(Scenario scenario) {
    scenario.apply(scenario.tlsCluster(NAME, 3));
    scenario.awaitReady(NAME);
    try (Client client = scenario.serviceClient(NAME); Client probeClient = scenario.serviceClient(NAME)) {
      Scenario.writeKeys(client, "/pause/", 50);
      try (AvailabilityProbe probe = new AvailabilityProbe(probeClient, "/pause/00000", "value-0").start()) {
        Instant start = Instant.now();
        await("probe reads before the pause").atMost(Duration.ofSeconds(10))
            .until(() -> probe.successesSince(start) >= 5);
        assertThat(probe.failures()).isEmpty();

        scenario.pauseMember(NAME + "-1");
        scenario.pauseMember(NAME + "-2");
        try {
          await("the probe sees the cluster unavailable").atMost(Duration.ofSeconds(30))
              .until(() -> probe.outage().compareTo(Duration.ofSeconds(3)) >= 0);
        } finally {
          scenario.resumeMember(NAME + "-1");
          scenario.resumeMember(NAME + "-2");
        }
        Instant resumed = Instant.now();
        await("reads succeed again").atMost(Duration.ofSeconds(30))
            .until(() -> probe.successesSince(resumed) >= 10);
        LOG.info("probe: {} reads, {} failed, outage {} ms", probe.reads().size(), probe.failures().size(),
            probe.outage().toMillis());
      }
      scenario.awaitReady(NAME);
      assertThat(Scenario.readKeys(client, "/pause/")).hasSize(50);
      for (int ordinal = 0; ordinal < 3; ordinal++) {
        assertThat(scenario.restartCount(NAME + "-" + ordinal)).as("paused, not restarted").isZero();
      }
    }
  }
}
