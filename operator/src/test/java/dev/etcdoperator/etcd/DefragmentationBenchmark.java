package dev.etcdoperator.etcd;

import dev.etcdoperator.testing.EtcdProcessCluster;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Defragmentation of one member, printed side by side in one run: the operator's call
 * ({@link EtcdMaintenance#defragment}) and {@code etcdctl defrag} on a member of the same size, each while a writer
 * writes through that member, with the longest gap between two acknowledged writes (the stall its clients see).
 * Three real members; each database is filled with history and compacted first, so that most of it is free pages.
 * Asserts nothing; run with {@code ./mvnw -q -Pbench -pl operator -am verify -DskipTests}.
 */
public final class DefragmentationBenchmark {
  private static final int MEGABYTES = 128;
  private static final int LIVE_MEGABYTES = 512;
  private static final long MIB = 1024 * 1024;
  private static final String VALUE = "x".repeat(1024 * 1024);

  private DefragmentationBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("defrag-benchmark");
    try (EtcdProcessCluster etcd = EtcdProcessCluster.builder(dir).members(3).namePrefix("defrag")
        .extraArgs("--quota-backend-bytes=" + 4L * 1024 * 1024 * 1024).start();
        EtcdClient client = EtcdClient.connect(EtcdConnection.plain(etcd.clientUrls(), Duration.ofSeconds(30)))) {
      List<String> rows = new ArrayList<>();
      // Little live data, then a lot: a defragmentation rewrites the live data, so its time grows with that.
      for (int live : new int[] {0, LIVE_MEGABYTES}) {
        keepLive(client, live);
        for (int member = 0; member < 2; member++) {
          URI endpoint = etcd.clientUrl(member);
          fragment(client);
          long before = client.status(endpoint).dbSizeBytes();
          Stall stall = Stall.measure(endpoint);
          long start = System.nanoTime();
          String how;
          if (member == 0) {
            client.maintenance().defragment(endpoint, Duration.ofMinutes(5));
            how = "operator (EtcdMaintenance.defragment)";
          } else {
            etcdctlDefrag(endpoint);
            how = "etcdctl defrag";
          }
          long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          String longest = stall.stop();
          long after = client.status(endpoint).dbSizeBytes();
          // What is left after a defragmentation is the live data it had to copy.
          rows.add(String.format("| %s | %d | %d | %d | %s | %s |", how, before / MIB, after / MIB, millis, longest,
              after < 64 * MIB ? "-" : String.valueOf(millis * 1024 * MIB / after)));
        }
      }
      System.out.println("Defragmentation of one member of three (etcd " + client.status(etcd.clientUrl(0)).version()
          + ", " + Runtime.getRuntime().availableProcessors() + " CPUs), a writer on that member:");
      System.out.println("| how | file before (MiB) | file after = live data (MiB) | took (ms) "
          + "| longest write stall (ms) | ms per GiB of live data |");
      System.out.println("|---|---|---|---|---|---|");
      rows.forEach(System.out::println);
    }
  }

  /** {@code megabytes} distinct keys of 1 MiB: data a defragmentation must copy. */
  private static void keepLive(EtcdClient client, int megabytes) {
    for (int i = 0; i < megabytes; i++) {
      client.put("/bench/live/" + i, VALUE + i);
    }
  }

  /** Writes {@value #MEGABYTES} MiB of history over one key, then compacts it away: the file stays that large. */
  private static void fragment(EtcdClient client) {
    for (int i = 0; i < MEGABYTES; i++) {
      client.put("/bench/history", VALUE + i);
    }
    EtcdMaintenance maintenance = client.maintenance();
    maintenance.compact(maintenance.revision(client.connection().endpoints().get(0)));
  }

  private static void etcdctlDefrag(URI endpoint) throws Exception {
    Process etcdctl = new ProcessBuilder("etcdctl", "--endpoints=" + endpoint, "--command-timeout=300s", "defrag")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!etcdctl.waitFor(5, TimeUnit.MINUTES) || etcdctl.exitValue() != 0) {
      throw new IllegalStateException("etcdctl defrag of " + endpoint + " failed");
    }
  }

  /** A writer through one member, timing the longest gap between two acknowledged writes. */
  private static final class Stall {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong longest = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final CountDownLatch warm = new CountDownLatch(1);
    private final Thread thread;

    private Stall(URI endpoint) {
      thread = new Thread(() -> {
        try (Client writer = Client.builder().endpoints(endpoint).build()) {
          long last = System.nanoTime();
          for (int i = 0; running.get(); i++) {
            try {
              writer.getKVClient().put(bytes("/bench/writer"), bytes("v" + i)).get(60, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
              failed.incrementAndGet(); // e.g. etcd's "request timed out" while the member rewrites its file
              continue;
            }
            long now = System.nanoTime();
            if (i > 0) { // the first write opens the connection: not the stall being measured
              longest.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(now - last), Math::max);
            }
            last = now;
            warm.countDown();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "stall-writer");
    }

    static Stall measure(URI endpoint) throws InterruptedException {
      Stall stall = new Stall(endpoint);
      stall.thread.start();
      stall.warm.await(30, TimeUnit.SECONDS);
      return stall;
    }

    /** @return the longest gap between two acknowledged writes (ms), and how many writes failed meanwhile */
    String stop() throws InterruptedException {
      running.set(false);
      thread.join();
      return longest.get() + (failed.get() == 0 ? "" : " (" + failed.get() + " writes failed)");
    }
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
