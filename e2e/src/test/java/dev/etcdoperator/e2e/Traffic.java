package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An application using the cluster while a scenario changes it: a writer ({@link AcknowledgedWriter}) and a probe
 * reading every 100 ms ({@link AvailabilityProbe}), both through the client Service. Afterwards no acknowledged
 * write may be missing and no outage may last longer than a leader election (with margin).
 */
final class Traffic {
  /** One leader election plus the client's reconnect, with margin; a member that stays unreachable is far longer. */
  static final Duration MAX_OUTAGE = Duration.ofSeconds(5);
  private static final Logger LOG = LoggerFactory.getLogger(Traffic.class);

  private Traffic() {}

  /**
   * Runs {@code change} under traffic, then checks the traffic; returns the (closed) writer, whose acknowledged
   * writes the caller may look for elsewhere, e.g. on one member.
   */
  static AcknowledgedWriter around(Scenario scenario, String name, Runnable change) {
    try (Client client = scenario.serviceClient(name); Client probeClient = scenario.serviceClient(name)) {
      Scenario.writeKeys(client, "/probe/", 1);
      AcknowledgedWriter writer = new AcknowledgedWriter(client, "/written/");
      try (AvailabilityProbe probe = new AvailabilityProbe(probeClient, "/probe/00000", "value-0").start();
          writer) {
        writer.start();
        Instant start = Instant.now();
        await("probe and writer running").atMost(Duration.ofSeconds(10))
            .until(() -> probe.successesSince(start) >= 5 && writer.acknowledgedCount() >= 5);
        change.run();
        int written = writer.acknowledgedCount();
        await("writes go on").atMost(Duration.ofSeconds(10)).conditionEvaluationListener(c -> {
          if (c.getRemainingTimeInMS() <= c.getPollInterval().toMillis()) {
            LOG.warn("{}: writes stalled; last failed puts: {}; failed reads: {}", name, writer.recentFailures(),
                probe.failures().stream().skip(Math.max(0, probe.failures().size() - 10)).toList());
          }
        }).until(() -> writer.acknowledgedCount() > written + 5);
        writer.close();
        probe.close();
        LOG.info("{}: {} writes acknowledged, {} failed; probe {} reads, {} failed, longest outage {} ms", name,
            writer.acknowledgedCount(), writer.failedCount(), probe.reads().size(), probe.failures().size(),
            probe.longestOutage().toMillis());
        assertThat(probe.longestOutage()).as("longest outage; failed reads: %s", probe.failures())
            .isLessThan(MAX_OUTAGE);
        assertThat(writer.missing(client)).as("acknowledged writes lost").isEmpty();
      }
      return writer;
    }
  }
}
