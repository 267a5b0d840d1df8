package dev.etcdoperator.e2e;

import dev.etcdoperator.support.EtcdVersion;
import dev.etcdoperator.testing.EtcdReleases;
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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One container run as a process on this machine.
 *
 * <p><b>Image to binary.</b> No image is pulled: a container whose command (or image) names etcd runs the real
 * release of the image's tag ({@code :v3.5.16}) among {@link EtcdReleases} (Debian's 3.4.23 on PATH, and 3.5.16
 * and 3.5.30 the build fetches): that exact version, else the newest patch of the same minor (the pod log says
 * which), and a minor this machine has no release of cannot start (StartError). {@code .../etcdctl} and
 * {@code .../etcdutl} run the same release's tools; an image without a version tag runs the etcd on PATH. {@code java -jar /app/etcd-operator.jar <args>} of the operator's image runs
 * {@value #OPERATOR_MAIN} in a fresh JVM of this test JVM's java and classpath (which holds the operator classes).
 * An image whose name contains {@value #BROKEN_IMAGE_MARK} runs {@code false} instead: a release that never starts.
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
  /** What {@code java -jar /app/etcd-operator.jar} runs in the operator's image. */
  static final String OPERATOR_MAIN = "dev.etcdoperator.EtcdOperatorMain";
  /** The kubelet's limits for a termination message taken from the logs (FallbackToLogsOnError). */
  static final int MESSAGE_MAX_LINES = 80;
  static final int MESSAGE_MAX_BYTES = 2048;
  private static final Pattern VERSION_TAG = Pattern.compile(":v?(\\d+\\.\\d+\\.\\d+)$");
  /** Looked up once: asking each binary for its version costs a process start. */
  private static final Supplier<EtcdReleases> RELEASES = memoize(EtcdReleases::available);

  private final Process process;
  private final List<String> commandLine;
  private final Path logFile;
  /** Where this process's output starts in the (pod-wide, appended) log file. */
  private final long logStart;

  private ContainerProcess(Process process, List<String> commandLine, Path logFile, long logStart) {
    this.process = process;
    this.commandLine = commandLine;
    this.logFile = logFile;
    this.logStart = logStart;
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
    int jar = all.indexOf("-jar");
    List<String> mapped = new ArrayList<>();
    if (image.contains(BROKEN_IMAGE_MARK)) {
      mapped.add(which("false")); // an image whose binary cannot start: for rollouts that must stall
    } else if (isBinary(binary, "etcdctl") || isBinary(binary, "etcdutl")) {
      mapped.add(etcdTool(image, binary.substring(binary.lastIndexOf('/') + 1)));
    } else if (binary.equals("etcd") || binary.endsWith("/etcd") || (command.isEmpty() && image.contains("etcd"))) {
      mapped.add(etcdTool(image, "etcd"));
    } else if (isBinary(binary, "java") && image.contains("etcd-operator") && jar > 0 && jar + 1 < all.size()) {
      mapped.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      // in the pod, temporary files go to the pod's /tmp (an emptyDir when one is mounted there), not the host's
      mapped.add("-Djava.io.tmpdir=" + mounts.rewrite("/tmp"));
      mapped.addAll(mapArgs(all.subList(1, jar), mounts, podIp)); // the image's JVM options
      mapped.addAll(List.of("-cp", absoluteClassPath(), OPERATOR_MAIN));
      mapped.addAll(mapArgs(all.subList(jar + 2, all.size()), mounts, podIp));
      return mapped;
    } else {
      mapped.add(mounts.rewrite(binary));
    }
    mapped.addAll(mapArgs(all.subList(1, all.size()), mounts, podIp));
    return mapped;
  }

  /** The etcd release an image's tag asks for: the exact version, else the newest patch of its minor. */
  static Optional<EtcdReleases.Release> etcdRelease(String image) {
    Matcher tag = VERSION_TAG.matcher(image);
    if (!tag.find()) {
      return Optional.empty();
    }
    EtcdVersion wanted = EtcdVersion.parse(tag.group(1)).orElseThrow();
    return Optional.of(RELEASES.get().closestTo(wanted).orElseThrow(() -> new IllegalStateException("image " + image
        + ": no etcd " + wanted.major() + "." + wanted.minor() + " release is on this machine; "
        + EtcdReleases.fetchHint())));
  }

  private static String etcdTool(String image, String tool) {
    Optional<EtcdReleases.Release> release = etcdRelease(image);
    if (release.isEmpty()) {
      return which(tool);
    }
    Path path = release.get().bin().resolve(tool);
    if (!Files.isExecutable(path)) {
      throw new IllegalStateException("image " + image + ": etcd " + release.get() + " has no " + tool);
    }
    return path.toString();
  }

  /**
   * What the pod log says about the etcd binary an image runs ({@code command} as mapped), when it is not the
   * image's exact version.
   */
  static Optional<String> releaseNote(String image, List<String> command) {
    String binary = command.get(0);
    if (!(isBinary(binary, "etcd") || isBinary(binary, "etcdctl") || isBinary(binary, "etcdutl"))) {
      return Optional.empty();
    }
    return etcdRelease(image).filter(r -> !image.endsWith(r.version().toString())).map(r -> "image " + image
        + " runs etcd " + r + ", the newest " + r.version().major() + "." + r.version().minor()
        + " release on this machine");
  }

  private static boolean isBinary(String binary, String name) {
    return binary.equals(name) || binary.endsWith("/" + name);
  }

  private static List<String> mapArgs(List<String> args, PodVolumes.MountTable mounts, String podIp) {
    return args.stream().map(arg -> dedupeUrlList(mounts.rewrite(mapLoopback(arg, podIp)))).toList();
  }

  /** This JVM's classpath with absolute entries: the container runs in its pod directory. */
  private static String absoluteClassPath() {
    return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator)).filter(e -> !e.isEmpty())
        .map(e -> Path.of(e).toAbsolutePath().toString()).collect(java.util.stream.Collectors.joining(
            File.pathSeparator));
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

  /**
   * Starts the command in a private mount namespace with {@code hostsFile} as /etc/hosts; {@code note} (which
   * release an image runs) goes into the log first.
   */
  static ContainerProcess start(List<String> command, Map<String, String> env, Path workDir, Path hostsFile,
      Path logFile, Optional<String> note) {
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
      Files.writeString(logFile, note.map(n -> "### " + n + "\n").orElse("") + "### start: "
          + String.join(" ", command) + "\n",
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
      long logStart = Files.size(logFile); // one container of a pod runs at a time: what follows is this one's
      return new ContainerProcess(builder.start(), line, logFile, logStart);
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

  /**
   * The end of this process's own output as the kubelet takes a termination message from the logs: the last
   * {@value #MESSAGE_MAX_LINES} lines, of which at most the last {@value #MESSAGE_MAX_BYTES} bytes. Read when the
   * process has exited and before the pod's next container starts (which appends to the same file).
   */
  String outputTail() {
    try (var file = java.nio.channels.FileChannel.open(logFile)) {
      // the last 2048 bytes of the output hold the last 2048 bytes of its last 80 lines
      long from = Math.max(logStart, file.size() - MESSAGE_MAX_BYTES);
      java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate((int) Math.max(0, file.size() - from));
      while (bytes.hasRemaining() && file.read(bytes, from + bytes.position()) >= 0) {
        // read fully
      }
      String text = new String(bytes.array(), 0, bytes.position(), java.nio.charset.StandardCharsets.UTF_8);
      List<String> lines = List.of(text.split("\n", -1));
      int lineCount = text.endsWith("\n") ? lines.size() - 1 : lines.size();
      return String.join("\n", lines.subList(Math.max(0, lineCount - MESSAGE_MAX_LINES), lines.size()));
    } catch (IOException e) {
      return "cannot read the container's log " + logFile + ": " + e.getMessage();
    }
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

  private static <T> Supplier<T> memoize(Supplier<T> supplier) {
    AtomicReference<T> value = new AtomicReference<>();
    return () -> value.updateAndGet(v -> v != null ? v : supplier.get());
  }

  static String which(String name) {
    return Stream.of(Objects.requireNonNullElse(System.getenv("PATH"), "").split(File.pathSeparator))
        .filter(d -> !d.isEmpty()).map(d -> Path.of(d, name))
        .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst().map(Path::toString)
        .orElseThrow(() -> new IllegalStateException(name + " not found on PATH"
            + (name.equals("etcd") ? ": install it with 'apt-get install -y etcd-server etcd-client'"
                : name.equals("etcdctl") ? ": install it with 'apt-get install -y etcd-client'"
                : name.equals(UNSHARE) ? ": install util-linux" : "")));
  }
}
