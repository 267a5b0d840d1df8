package dev.etcdoperator.e2e;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An application's view of availability: reads one key through the client Service every 100 ms (each read given
 * one second) and records every outcome. {@link #outage()} is the span from the first failed read to the first
 * successful read after the last failure, so a cluster that flaps twice shows one long outage, not two short ones.
 */
final class AvailabilityProbe implements AutoCloseable {
  private static final Duration INTERVAL = Duration.ofMillis(100);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(1);

  /** One read: when it started, whether it returned the expected value in time, and why not. */
  record Read(Instant at, boolean ok, String error) {}

  private final Client client;
  private final ByteSequence key;
  private final String expected;
  private final List<Read> reads = new CopyOnWriteArrayList<>();
  private final StandInLoop loop = new StandInLoop("availability-probe");

  AvailabilityProbe(Client client, String key, String expected) {
    this.client = client;
    this.key = Scenario.bytes(key);
    this.expected = expected;
  }

  AvailabilityProbe start() {
    loop.every(INTERVAL, this::readOnce);
    return this;
  }

  private void readOnce() {
    Instant at = Instant.now();
    try {
      var response = client.getKVClient().get(key).get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      boolean ok = response.getKvs().size() == 1
          && expected.equals(response.getKvs().get(0).getValue().toString(java.nio.charset.StandardCharsets.UTF_8));
      reads.add(new Read(at, ok, ok ? null : "unexpected value: " + response.getKvs()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      reads.add(new Read(at, false, e.toString()));
    }
  }

  List<Read> reads() {
    return List.copyOf(reads);
  }

  List<Read> failures() {
    return reads.stream().filter(r -> !r.ok()).toList();
  }

  /** Successful reads since {@code since}. */
  long successesSince(Instant since) {
    return reads.stream().filter(r -> r.ok() && !r.at().isBefore(since)).count();
  }

  /** First failure to the first success after the last failure (or to now); zero when nothing failed. */
  Duration outage() {
    List<Read> all = new ArrayList<>(reads);
    Instant first = null;
    Instant end = null;
    for (Read r : all) {
      if (!r.ok()) {
        if (first == null) {
          first = r.at();
        }
        end = null;
      } else if (first != null && end == null) {
        end = r.at();
      }
    }
    if (first == null) {
      return Duration.ZERO;
    }
    return Duration.between(first, end == null ? Instant.now() : end);
  }

  /** The longest run of failed reads: from its first failure to the next success (or to now). */
  Duration longestOutage() {
    Duration longest = Duration.ZERO;
    Instant start = null;
    for (Read r : List.copyOf(reads)) {
      if (!r.ok() && start == null) {
        start = r.at();
      } else if (r.ok() && start != null) {
        longest = max(longest, Duration.between(start, r.at()));
        start = null;
      }
    }
    return start == null ? longest : max(longest, Duration.between(start, Instant.now()));
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  @Override
  public void close() {
    loop.stop();
  }
}
