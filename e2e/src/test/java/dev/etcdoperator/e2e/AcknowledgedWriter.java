package dev.etcdoperator.e2e;

import io.etcd.jetcd.Client;
import java.time.Duration;
import java.time.Instant;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An application writing throughout a scenario: puts {@code <prefix><n>} = {@code n}, one after the other, and
 * remembers every put etcd acknowledged. {@link #missing} then says which acknowledged writes were lost.
 */
final class AcknowledgedWriter implements AutoCloseable {
  private static final Duration PUT_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration PAUSE = Duration.ofMillis(20);

  private final Client client;
  private final String prefix;
  private final List<Integer> acknowledged = new CopyOnWriteArrayList<>();
  private final AtomicInteger failed = new AtomicInteger();
  /** The latest failures (time and error), for a failure message that says what the application saw. */
  private final Deque<String> recentFailures = new ConcurrentLinkedDeque<>();
  private final Thread thread;
  private volatile boolean running = true;

  AcknowledgedWriter(Client client, String prefix) {
    this.client = client;
    this.prefix = prefix;
    this.thread = new Thread(this::run, "acknowledged-writer");
    this.thread.setDaemon(true);
  }

  AcknowledgedWriter start() {
    thread.start();
    return this;
  }

  private void run() {
    for (int n = 0; running; n++) {
      try {
        client.getKVClient().put(Scenario.bytes(key(n)), Scenario.bytes(Integer.toString(n)))
            .get(PUT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        acknowledged.add(n);
        Thread.sleep(PAUSE); // a steady trickle, not a load test
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        failed.incrementAndGet();
        recentFailures.addLast(Instant.now() + " " + e);
        while (recentFailures.size() > 10) {
          recentFailures.pollFirst();
        }
      }
    }
  }

  private String key(int n) {
    return prefix + String.format("%07d", n);
  }

  int acknowledgedCount() {
    return acknowledged.size();
  }

  int failedCount() {
    return failed.get();
  }

  /** The last (up to ten) failed puts, oldest first. */
  List<String> recentFailures() {
    return List.copyOf(recentFailures);
  }

  /** Acknowledged writes that the cluster does not hold (with their value) now. */
  List<String> missing(Client reader) {
    Map<String, String> present = Scenario.readKeys(reader, prefix);
    return acknowledged.stream().map(this::key)
        .filter(k -> !Integer.toString(Integer.parseInt(k.substring(prefix.length())))
            .equals(present.get(k)))
        .toList();
  }

  /** Stops writing; an acknowledged put stays counted, one in flight may or may not land. */
  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
