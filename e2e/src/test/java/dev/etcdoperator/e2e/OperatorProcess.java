package dev.etcdoperator.e2e;

import static org.awaitility.Awaitility.await;

import dev.etcdoperator.cluster.model.FaultPoints;
import dev.etcdoperator.config.OperatorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The operator in a JVM of its own, started as its image starts it: {@code java -jar etcd-operator.jar} (the shaded jar
 * the Dockerfile copies) with the image's {@code JAVA_TOOL_OPTIONS} and a simulated memory limit ({@link OperatorJvm}),
 * configured only by environment variables as {@code OperatorConfig} reads them and by a kubeconfig naming the API
 * stand-in. So what is measured of this process (resident set, heap) is the operator's alone.
 *
 * <p>It reaches members as the in-process operator does: by their cluster DNS names, resolved through the stand-in's
 * hosts file ({@code -Djdk.net.hosts.file}, the test JVM's own resolver), so TLS checks the names the certificates
 * carry. Stopping sends SIGTERM, as the kubelet does, and the entry point's shutdown hook runs. Fault points cannot
 * reach another JVM: scenarios that arm them use {@link InProcessOperator}.
 */
final class OperatorProcess implements OperatorRunner {
  private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final Path jar;
  private final Path hostsFile;
  private final Path dir;
  private final Map<String, String> operatorEnv;
  private OperatorJvm jvm;
  private Process process;
  private Instant startedAt;
  private int port;
  private int starts;

  OperatorProcess(OperatorJvm jvm, String apiServerUrl, OperatorConfig config, Path hostsFile, Path workDir) {
    this.jvm = jvm;
    this.jar = Path.of(required("operator.jar"));
    this.hostsFile = hostsFile.toAbsolutePath();
    this.dir = workDir.resolve("operator");
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("kubeconfig"), kubeconfig(apiServerUrl));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> env = environment(config);
    env.put("KUBECONFIG", dir.resolve("kubeconfig").toString());
    this.operatorEnv = Map.copyOf(env);
    Runtime.getRuntime().addShutdownHook(new Thread(this::kill, "operator-process-stop"));
  }

  /** The settings the next {@link #start} uses (between a stop and a start). */
  synchronized void use(OperatorJvm settings) {
    this.jvm = settings;
  }

  /** When the running process was started (just before the fork). */
  synchronized Instant startedAt() {
    return startedAt;
  }

  /** Starts the process and returns once it serves /metrics (its client and informers are then being set up). */
  @Override
  public synchronized void start(FaultPoints faults) {
    if (faults != FaultPoints.NONE) {
      throw new UnsupportedOperationException("fault points cannot be armed in another JVM");
    }
    if (process != null) {
      throw new IllegalStateException("the operator is running");
    }
    prepareArchive();
    port = freePort();
    List<String> command = new ArrayList<>(List.of(javaCommand(), "-XX:MaxRAM=" + jvm.memoryLimit(),
        // the test JVM's resolver, and like it no caching: pod addresses appear while the run goes on
        "-Djdk.net.hosts.file=" + hostsFile, "-Dsun.net.inetaddr.ttl=0", "-Dsun.net.inetaddr.negative.ttl=0",
        "-jar", jar.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("operator-" + ++starts + ".log").toFile()));
    imageEnvironment(builder, jvm);
    builder.environment().putAll(operatorEnv);
    // Every start is a new pod, as when a Deployment's pod is replaced: it takes the leader Lease over from the last.
    builder.environment().computeIfPresent("POD_NAME", (name, identity) -> identity + "-" + starts);
    builder.environment().put("HEALTH_PORT", Integer.toString(port));
    try {
      startedAt = Instant.now();
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
    awaitServing();
  }

  /**
   * What operator/Dockerfile's build does when the settings name a class-data archive the JVM writes itself: one run
   * of the jar with no API server to reach (a build has no cluster), which rehearses a probe of etcd against an
   * in-process TLS endpoint, exits after loading the configuration, client and model classes and leaves the archive of
   * all of those. Done again when the jar is newer than the archive.
   */
  private void prepareArchive() {
    Optional<Path> archive = jvm.autoCreatedArchive();
    if (archive.isEmpty()) {
      return;
    }
    try {
      if (Files.exists(archive.get())
          && Files.getLastModifiedTime(archive.get()).compareTo(Files.getLastModifiedTime(jar)) >= 0) {
        return;
      }
      Files.deleteIfExists(archive.get());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    runWithoutApiServer(jvm);
    if (!Files.exists(archive.get())) {
      throw new IllegalStateException("the run without an API server left no class-data archive at " + archive.get()
          + "; see " + dir.resolve("build-run.log"));
    }
  }

  /** Runs the jar once with {@code settings} and no API server to reach, until it exits. */
  private void runWithoutApiServer(OperatorJvm settings) {
    ProcessBuilder builder = new ProcessBuilder(javaCommand(), "-XX:MaxRAM=" + settings.memoryLimit(), "-jar",
        jar.toString(), "--train-class-data").directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("build-run.log").toFile()));
    imageEnvironment(builder, settings);
    builder.environment().put("KUBERNETES_MASTER", "http://127.0.0.1:1"); // refused at once
    try {
      Process run = builder.start();
      if (!run.waitFor(STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        run.destroyForcibly();
        throw new IllegalStateException("the operator without an API server did not exit");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void stop() {
    Process stopping = process;
    process = null;
    if (stopping == null) {
      return;
    }
    stopping.destroy(); // SIGTERM, as a pod's deletion sends
    try {
      if (!stopping.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        stopping.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      stopping.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public synchronized URI metricsUrl() {
    if (process == null) {
      throw new IllegalStateException("the operator is not running");
    }
    return URI.create("http://127.0.0.1:" + port + "/metrics");
  }

  @Override
  public synchronized long pid() {
    if (process == null) {
      throw new IllegalStateException("the operator is not running");
    }
    return process.pid();
  }

  /** The log of the latest start (stdout and stderr, as a container's log). */
  synchronized Path log() {
    return dir.resolve("operator-" + starts + ".log");
  }

  /** Only what a container would have: no KUBECONFIG, JAVA_HOME or proxy settings of this machine leak in. */
  private void imageEnvironment(ProcessBuilder builder, OperatorJvm settings) {
    builder.environment().clear();
    builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    builder.environment().put("HOME", dir.toString());
    builder.environment().putAll(settings.environment());
  }

  private void kill() {
    Process running = process;
    if (running != null) {
      running.destroyForcibly();
    }
  }

  private void awaitServing() {
    try {
      // In this thread: it holds this object's lock (start), which metricsUrl and log take too.
      await("the operator serving /metrics").atMost(STARTUP_TIMEOUT).pollInSameThread()
          .pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!process.isAlive()) {
              throw new IllegalStateException("the operator exited with " + process.exitValue() + "; its log:\n"
                  + logTail());
            }
            return servesMetrics();
          });
    } catch (ConditionTimeoutException e) {
      kill();
      throw new IllegalStateException("the operator did not serve /metrics within " + STARTUP_TIMEOUT + "; its log:\n"
          + logTail(), e);
    }
  }

  private boolean servesMetrics() throws InterruptedException {
    try {
      return HTTP.send(HttpRequest.newBuilder(metricsUrl()).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException notYet) {
      return false; // not listening yet
    }
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(log());
      return lines.subList(Math.max(0, lines.size() - 40), lines.size()).stream().collect(Collectors.joining("\n"));
    } catch (IOException e) {
      return "(cannot read " + log() + ": " + e + ")";
    }
  }

  /** The variables {@code OperatorConfig.fromEnvironment} reads, for the same settings the in-process operator gets. */
  static Map<String, String> environment(OperatorConfig config) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("WATCH_NAMESPACES", String.join(",", config.watchNamespaces()));
    env.put("ETCD_DEFAULT_VERSION", config.defaultEtcdVersion().toString());
    env.put("ETCD_IMAGE_REPOSITORY", config.etcdImageRepository());
    env.put("ETCD_MEMBER_ACCESS", config.memberAccess().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    env.put("ETCD_REQUEST_TIMEOUT_MS", Long.toString(config.etcdRequestTimeout().toMillis()));
    env.put("RESYNC_INTERVAL_SECONDS", Long.toString(config.resyncInterval().toSeconds()));
    env.put("LEADER_ELECTION", Boolean.toString(config.leaderElection()));
    env.put("LEADER_ELECTION_LEASE_NAME", config.leaseName());
    env.put("LEADER_ELECTION_NAMESPACE", config.leaseNamespace());
    env.put("POD_NAME", config.leaderIdentity());
    env.put("CLUSTER_DOMAIN", config.clusterDomain());
    env.put("OPERATOR_IMAGE", config.operatorImage());
    env.put("REPLACE_FAILING_MEMBER_AFTER_SECONDS", Long.toString(config.replaceFailingMemberAfter().toSeconds()));
    env.put("POD_IP_FAMILY", config.podIpFamily().name().toLowerCase(Locale.ROOT));
    // The stand-in speaks plain HTTP, where the JDK client's h2c upgrade loses large request bodies now and then
    // (TestApiServer's own clients disable HTTP/2 for the same reason); real API servers negotiate it over TLS.
    env.put("KUBERNETES_HTTP2_DISABLE", "true");
    return env;
  }

  private String kubeconfig(String apiServerUrl) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
          - name: stand-in
            cluster:
              server: %s
        users:
          - name: stand-in
            user: {}
        contexts:
          - name: stand-in
            context:
              cluster: stand-in
              user: stand-in
              namespace: default
        current-context: stand-in
        """.formatted(apiServerUrl);
  }

  private static String javaCommand() {
    return ProcessHandle.current().info().command()
        .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String required(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException("system property " + property + " is not set: run through e2e/pom.xml");
    }
    return value;
  }
}
