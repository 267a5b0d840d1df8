package dev.etcdoperator.testing;

import dev.etcdoperator.testing.EtcdProcessCluster.MemberSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One member of an {@link EtcdProcessCluster}: its name, address, data dir and log file, and the etcd process
 * currently running for it (if any). Launches, kills, pauses and resumes that process; not thread-safe (the cluster
 * serialises calls). Every process is also killed by a JVM shutdown hook, so none outlives the test JVM.
 */
final class EtcdMemberProcess {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
        "etcd-process-cluster-reaper"));
  }

  final int ordinal;
  final String name;
  final String host;
  private final Path dataDir;
  private final Path logFile;
  private Process process;
  private boolean paused;

  EtcdMemberProcess(int ordinal, String name, String host, Path dataDir, Path logFile) {
    this.ordinal = ordinal;
    this.name = name;
    this.host = host;
    this.dataDir = dataDir;
    this.logFile = logFile;
  }

  /** What a {@link EtcdProcessCluster.Builder#memberArgs} callback gets to see. */
  MemberSpec spec() {
    return new MemberSpec(ordinal, name, host, dataDir);
  }

  /** Removes the data dir and the log file of an earlier run, for a member that joins a new cluster. */
  void wipe() throws IOException {
    deleteRecursively(dataDir);
    Files.deleteIfExists(logFile);
  }

  /**
   * Starts {@code command} (the etcd binary first) with stdout and stderr appended to the log file. ETCD_*
   * variables in the developer's environment would configure what our flags leave unset (flags win only over their
   * own variable), so they are removed; ETCD_UNSUPPORTED_ARCH stays: arm64 machines need it to run etcd 3.4 at all.
   */
  void launch(List<String> command) {
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("ETCD_") && !k.equals("ETCD_UNSUPPORTED_ARCH"));
    try {
      Files.createDirectories(logFile.toAbsolutePath().getParent());
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command.get(0) + " for " + name + ": " + e.getMessage(), e);
    }
    LIVE.add(process);
  }

  boolean isRunning() {
    return process != null && process.isAlive();
  }

  boolean isPaused() {
    return paused;
  }

  /** Throws, with the exit code and the log tail, if the launched process has exited. */
  void requireAlive() {
    if (!process.isAlive()) {
      throw new IllegalStateException("etcd member " + name + " exited with code "
          + process.exitValue() + "; log tail:\n" + logTail());
    }
  }

  /** SIGSTOP: the process keeps its sockets but answers nothing. */
  void pause() {
    signal("STOP");
    paused = true;
  }

  /** SIGCONT after {@link #pause}. */
  void resume() {
    signal("CONT");
    paused = false;
  }

  /** SIGKILL (which also ends a SIGSTOPped process), and waits until the process is gone. */
  void kill() {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroyForcibly();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("etcd member " + name + " (pid " + p.pid() + ") did not exit");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LIVE.remove(p);
    process = null;
    paused = false;
  }

  String logTail() {
    return logTail(logFile);
  }

  /** The last lines of a log file, for failure messages. */
  static String logTail(Path log) {
    try {
      if (!Files.exists(log)) {
        return "(no log file " + log + ")";
      }
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  private void signal(String signal) {
    Process p = process;
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException(name + " is not running");
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid()))
          .redirectErrorStream(true).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + p.pid() + " failed: "
            + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while signalling " + name, e);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean " + dir, e);
    }
  }
}
