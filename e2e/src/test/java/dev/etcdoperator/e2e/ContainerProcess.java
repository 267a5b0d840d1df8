package dev.etcdoperator.e2e;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One container run as a process on this machine.
 *
 * <p><b>Image to binary.</b> No image is pulled: a container whose command (or image) names etcd runs the
 * {@code etcd} found on PATH (Debian's etcd-server), whatever the image tag; scenarios therefore use the etcd 3.4.x
 * version that binary is. An image whose name contains {@value #BROKEN_IMAGE_MARK} runs {@code false} instead: a
 * release that never starts.
 *
 * <p><b>Loopback.</b> In a real pod {@code 127.0.0.1} is the pod's private loopback, so a member listening on
 * {@code https://127.0.0.1:2379} (for port-forwarding) clashes with nobody. Here all members share the host's
 * loopback, so a URL on {@code 127.0.0.1}/{@code localhost} in the args is mapped to the pod's own 127.x address,
 * and a URL list that then names the same URL twice is de-duplicated (etcd would otherwise bind it twice). Port
 * forwards to "localhost in the pod" (the stand-in API server dials status.podIP) reach the same listener.
 *
 * <p><b>DNS.</b> The process runs in its own mount namespace ({@code unshare --mount}) where the stand-in's hosts
 * file ({@link ClusterDns}) is bind-mounted on {@code /etc/hosts}, so etcd resolves the other members' names;
 * the host's own {@code /etc/hosts} is never touched. Needs root (or CAP_SYS_ADMIN) and util-linux's unshare.
 */
final class ContainerProcess {
  static final String UNSHARE = "unshare";
  /** An image whose name contains this runs {@code false}: a release that fails to start. */
  static final String BROKEN_IMAGE_MARK = "e2e-broken";

  private final Process process;
  private final List<String> commandLine;

  private ContainerProcess(Process process, List<String> commandLine) {
    this.process = process;
    this.commandLine = commandLine;
  }

  /** The command line of the container, mapped to this machine (binary, mount paths, loopback). */
  static List<String> containerCommand(List<String> command, List<String> args, String image,
      PodVolumes.MountTable mounts, String podIp) {
    List<String> all = new ArrayList<>();
    all.addAll(command);
    all.addAll(args);
    if (all.isEmpty()) {
      throw new IllegalArgumentException("container of image " + image + " has no command: the stand-in does not "
          + "know image entrypoints");
    }
    String binary = all.get(0);
    if (image.contains(BROKEN_IMAGE_MARK)) {
      all.set(0, which("false")); // an image whose binary cannot start: for rollouts that must stall
    } else if (binary.equals("etcd") || binary.endsWith("/etcd") || (command.isEmpty() && image.contains("etcd"))) {
      all.set(0, which("etcd"));
    } else {
      all.set(0, mounts.rewrite(binary));
    }
    List<String> mapped = new ArrayList<>();
    mapped.add(all.get(0));
    for (String arg : all.subList(1, all.size())) {
      mapped.add(dedupeUrlList(mounts.rewrite(mapLoopback(arg, podIp))));
    }
    return mapped;
  }

  static String mapLoopback(String arg, String podIp) {
    return arg.replace("://127.0.0.1:", "://" + podIp + ":").replace("://localhost:", "://" + podIp + ":");
  }

  /** {@code --flag=a,b,a} becomes {@code --flag=a,b} when the items are URLs. */
  static String dedupeUrlList(String arg) {
    int eq = arg.indexOf('=');
    if (!arg.startsWith("--") || eq < 0 || !arg.contains("://") || !arg.contains(",")) {
      return arg;
    }
    LinkedHashSet<String> items = new LinkedHashSet<>(List.of(arg.substring(eq + 1).split(",")));
    return arg.substring(0, eq + 1) + String.join(",", items);
  }

  /** Starts the command in a private mount namespace with {@code hostsFile} as /etc/hosts. */
  static ContainerProcess start(List<String> command, Map<String, String> env, Path workDir, Path hostsFile,
      Path logFile) {
    List<String> line = new ArrayList<>(List.of(which(UNSHARE), "--mount", "--propagation", "private", "sh", "-c",
        "mount --bind \"$0\" /etc/hosts && exec \"$@\"", hostsFile.toAbsolutePath().toString()));
    line.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(line).directory(workDir.toFile())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    builder.environment().clear();
    builder.environment().put("PATH", Objects.requireNonNullElse(System.getenv("PATH"), "/usr/bin:/bin"));
    builder.environment().putAll(env);
    try {
      Files.createDirectories(workDir);
      Files.createDirectories(logFile.getParent());
      Files.writeString(logFile, "### start: " + String.join(" ", command) + "\n",
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
      return new ContainerProcess(builder.start(), line);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + line, e);
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  int exitCode() {
    return process.exitValue();
  }

  long pid() {
    return process.pid();
  }

  List<String> commandLine() {
    return commandLine;
  }

  /** SIGTERM, then SIGKILL once the grace period is over; completes when the process is gone. */
  CompletableFuture<Void> stop(Duration grace) {
    if (!process.isAlive()) {
      return CompletableFuture.completedFuture(null);
    }
    process.destroy();
    return process.onExit().thenApply(p -> (Void) null)
        .completeOnTimeout(null, grace.toMillis(), TimeUnit.MILLISECONDS)
        .thenCompose(v -> {
          if (process.isAlive()) {
            process.destroyForcibly();
            return process.onExit().thenApply(p -> (Void) null);
          }
          return CompletableFuture.completedFuture(null);
        });
  }

  /**
   * Sends a signal by name ({@code KILL}, {@code STOP}, {@code CONT}) to the container's process: the unshare and
   * shell wrappers exec, so this pid is etcd itself.
   */
  void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(process.pid())).redirectErrorStream(true)
          .start();
      if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -s " + name + " " + process.pid() + " failed: "
            + new String(kill.getInputStream().readAllBytes()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGKILL now (suite tear-down). */
  void kill() {
    process.destroyForcibly();
  }

  static String which(String name) {
    return Stream.of(Objects.requireNonNullElse(System.getenv("PATH"), "").split(File.pathSeparator))
        .filter(d -> !d.isEmpty()).map(d -> Path.of(d, name))
        .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst().map(Path::toString)
        .orElseThrow(() -> new IllegalStateException(name + " not found on PATH"
            + (name.equals("etcd") ? ": install it with 'apt-get install -y etcd-server etcd-client'"
                : name.equals(UNSHARE) ? ": install util-linux" : "")));
  }
}
