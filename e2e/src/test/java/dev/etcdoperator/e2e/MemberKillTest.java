package dev.etcdoperator.e2e;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario (b): SIGKILL one member of a Ready three-member cluster. The kubelet restarts the container (same pod,
 * same data directory, restartCount 1), the cluster is Ready again, an application reading through the client
 * Service every 100 ms never loses it for longer than one leader election, and no key is lost.
 */
@ClassTemplate
@ExtendWith(Backends.class)
class MemberKillTest {
  private static final Logger LOG = LoggerFactory.getLogger(MemberKillTest.class);
  private static final String NAME = "main";
  private static final String VICTIM = NAME + "-1";
  private static final int KEYS = 200;
  /** One leader election plus the client's reconnect, with margin; a member that stays unreachable is far longer. */
  private static final Duration MAX_OUTAGE = Duration.ofSeconds(5);

  @Test
  void killedMemberRestartsWithItsDataAndTheClusterStaysAvailable(Scenario scenario) {
    scenario.apply(scenario.tlsCluster(NAME, 3));
    scenario.awaitReady(NAME);

    try (Client client = scenario.serviceClient(NAME); Client probeClient = scenario.serviceClient(NAME)) {
      Scenario.writeKeys(client, "/kill/", KEYS);
      assertThat(Scenario.readKeys(client, "/kill/")).hasSize(KEYS);
      try (AvailabilityProbe probe = new AvailabilityProbe(probeClient, "/kill/00000", "value-0").start()) {
        Instant probeStart = Instant.now();
        await("probe reads before the kill").atMost(Duration.ofSeconds(10))
            .until(() -> probe.successesSince(probeStart) >= 10);
        assertThat(scenario.restartCount(VICTIM)).isZero();

        String killed = scenario.containerId(VICTIM);
        scenario.killMember(VICTIM);

        await(VICTIM + " restarted by the kubelet").atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> scenario.restartCount(VICTIM) == 1 && StatefulSetController.isReady(scenario.pod(VICTIM)));
        assertThat(scenario.containerId(VICTIM)).as("a new container").isNotEqualTo(killed).isNotNull();
        scenario.awaitReady(NAME);
        Instant recovered = Instant.now();
        await("probe reads after recovery").atMost(Duration.ofSeconds(10))
            .until(() -> probe.successesSince(recovered) >= 20);
        probe.close();

        LOG.info("probe: {} reads, {} failed, outage {} ms", probe.reads().size(), probe.failures().size(),
            probe.outage().toMillis());
        assertThat(probe.reads().size()).as("the probe ran throughout").isGreaterThan(30);
        assertThat(probe.outage()).as("unavailable for longer than a leader election; failures: %s",
            probe.failures()).isLessThan(MAX_OUTAGE);
      }

      assertThat(scenario.restartCount(VICTIM)).as("one container restart, pod not replaced").isEqualTo(1);
      Map<String, String> all = Scenario.readKeys(client, "/kill/");
      assertThat(all).hasSize(KEYS);
      all.forEach((k, v) -> assertThat(v).isEqualTo("value-" + Integer.parseInt(k.substring("/kill/".length()))));
      try (Client restarted = scenario.memberClient(NAME, 1)) {
        assertThat(Scenario.readKeys(restarted, "/kill/")).as("the restarted member serves every key")
            .hasSize(KEYS);
      }
    }
  }
}
