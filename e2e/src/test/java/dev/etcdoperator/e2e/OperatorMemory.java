package dev.etcdoperator.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the operator's process holds, read from outside as one would in a pod: the resident set and thread count from
 * {@code /proc/<pid>/status}, the heap after a full collection from the operator's own /metrics (Micrometer's
 * {@code jvm_memory_*} meters), CPU time from {@code /proc/<pid>/stat}. The collection is asked for with
 * {@code jcmd <pid> GC.run} (or {@code System.gc()} when the operator shares this JVM).
 */
final class OperatorMemory {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final double MB = 1024.0 * 1024.0;
  /** Linux' USER_HZ: the unit of utime and stime in /proc/<pid>/stat (100 on every Linux this runs on). */
  private static final double TICKS_PER_SECOND = 100.0;

  private OperatorMemory() {}

  /** Heap used and committed and non-heap used (MB) after a full collection, resident set (MB), threads. */
  record Sample(double heapUsedMb, double heapCommittedMb, double nonHeapUsedMb, double rssMb, int threads) {}

  static Sample sample(OperatorRunner operator) {
    long pid = operator.pid();
    if (pid == ProcessHandle.current().pid()) {
      System.gc();
      System.gc();
    } else {
      jcmd(pid, "GC.run");
    }
    String metrics = scrape(operator.metricsUrl());
    List<String> status = status(pid);
    return new Sample(sum(metrics, "jvm_memory_used_bytes", "heap") / MB,
        sum(metrics, "jvm_memory_committed_bytes", "heap") / MB, sum(metrics, "jvm_memory_used_bytes", "nonheap") / MB,
        field(status, "VmRSS:") / 1024.0, (int) field(status, "Threads:"));
  }

  /** The resident set now, without a collection first (the idle state as it is). */
  static double residentSetMb(long pid) {
    return field(status(pid), "VmRSS:") / 1024.0;
  }

  /** User plus system CPU time the process has used so far, in seconds. */
  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // after the command name in parentheses (which may hold spaces): state is field 3, utime 14, stime 15
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** CPU time the whole machine has spent busy since it booted, over all CPUs (from {@code /proc/stat}). */
  static double machineBusySeconds() {
    try {
      String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < fields.length; i++) {
        if (i != 4 && i != 5) { // idle and iowait
          busy += Long.parseLong(fields[i]);
        }
      }
      return busy / TICKS_PER_SECOND;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code jcmd <pid> <command...>} with this JVM's JDK and returns what it printed. */
  static String jcmd(long pid, String... command) {
    List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd")
        .toString(), Long.toString(pid)));
    line.addAll(List.of(command));
    try {
      Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", line) + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String scrape(URI metrics) {
    try {
      return HTTP.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The sum of a meter's samples of one memory area ({@code heap} or {@code nonheap}), over every pool. */
  static double sum(String metrics, String meter, String area) {
    Matcher m = Pattern.compile("^" + meter + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE).matcher(metrics);
    double total = 0;
    boolean found = false;
    while (m.find()) {
      if (m.group(1).contains("area=\"" + area + "\"")) {
        total += Double.parseDouble(m.group(2));
        found = true;
      }
    }
    if (!found) {
      throw new IllegalStateException("no " + meter + "{area=\"" + area + "\"} in the operator's /metrics");
    }
    return total;
  }

  private static List<String> status(long pid) {
    try {
      return Files.readAllLines(Path.of("/proc/" + pid + "/status"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long field(List<String> status, String name) {
    return status.stream().filter(l -> l.startsWith(name)).map(l -> l.replaceAll("[^0-9]", ""))
        .mapToLong(Long::parseLong).findFirst()
        .orElseThrow(() -> new IllegalStateException("no " + name + " in /proc/<pid>/status"));
  }
}
