package dev.etcdoperator.testing;

import dev.etcdoperator.ResumingWatchHttpClientFactory;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A mock Kubernetes API server (module {@code test-apiserver}: Fabric8's CRUD-mode mock server with conformance
 * fixes) running as a child process, for reconciler tests. It runs in its own JVM because its Vert.x 4.5 cannot
 * share one with jetcd's Vert.x 5; the operator under test talks to it over HTTP like to a real API server.
 *
 * <pre>{@code
 * try (TestApiServer apiServer = TestApiServer.start()) {
 *   KubernetesClient client = apiServer.client();
 *   ...
 * }
 * }</pre>
 *
 * The jar is taken from system property {@value #JAR_PROPERTY}, else from
 * {@code ../test-apiserver/target/test-apiserver.jar} (relative to the working directory, i.e. operator/ under
 * Maven). The server stops on {@link #close()}, and in any case when this JVM exits (its stdin closes).
 */
public final class TestApiServer implements AutoCloseable {

  public static final String JAR_PROPERTY = "test.apiserver.jar";
  private static final long STARTUP_TIMEOUT_SECONDS = 30;
  private static final long STOP_TIMEOUT_SECONDS = 5;
  private static final int STDERR_KEPT_CHARS = 64 * 1024;

  private final Process process;
  private final String url;
  private final StringBuilder stderr;
  private final Thread shutdownHook;
  private KubernetesClient client;
  private boolean closed;

  private TestApiServer(Process process, String url, StringBuilder stderr, Thread shutdownHook) {
    this.process = process;
    this.url = url;
    this.stderr = stderr;
    this.shutdownHook = shutdownHook;
  }

  /** Starts a server on a free port of 127.0.0.1 and waits (at most 30 s) until it listens. */
  public static TestApiServer start() {
    Path jar = locateJar();
    String java = ProcessHandle.current().info().command()
        .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Process process;
    try {
      process = new ProcessBuilder(List.of(java, "-jar", jar.toString(), "0")).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + java + " -jar " + jar, e);
    }
    Thread shutdownHook = new Thread(process::destroyForcibly, "test-apiserver-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);

    StringBuilder stderr = new StringBuilder();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread stderrReader = drain(process.getErrorStream(), "stderr", line -> {
      synchronized (stderr) {
        stderr.append(line).append('\n');
        if (stderr.length() > STDERR_KEPT_CHARS) {
          stderr.delete(0, stderr.length() - STDERR_KEPT_CHARS);
        }
      }
      System.err.println("[test-apiserver] " + line);
    });
    drain(process.getInputStream(), "stdout", line -> {
      if (line.startsWith("LISTENING ")) {
        port.complete(Integer.parseInt(line.substring("LISTENING ".length()).trim()));
      }
    });
    process.onExit().thenRun(() -> port.completeExceptionally(
        new IllegalStateException("exited with code " + process.exitValue())));

    try {
      int listening = port.get(STARTUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      return new TestApiServer(process, "http://127.0.0.1:" + listening, stderr, shutdownHook);
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      stop(process);
      removeShutdownHook(shutdownHook);
      joinQuietly(stderrReader);
      String reason = e instanceof TimeoutException
          ? "did not print LISTENING within " + STARTUP_TIMEOUT_SECONDS + " s"
          : String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e);
      String err;
      synchronized (stderr) {
        err = stderr.toString();
      }
      throw new IllegalStateException("test API server (" + java + " -jar " + jar + ") " + reason
          + "; its stderr:\n" + err, e);
    }
  }

  /** Base URL, e.g. {@code http://127.0.0.1:41234}. */
  public String url() {
    return url;
  }

  /** A client for this server (default namespace "default"), created on first use and closed with the server. */
  public synchronized KubernetesClient client() {
    if (closed) {
      throw new IllegalStateException("test API server is closed");
    }
    if (client == null) {
      client = newClient();
    }
    return client;
  }

  /**
   * The requests the stand-in received so far, by {@code "<User-Agent> <method> <resource>"}, e.g.
   * {@code "etcd-operator GET monitoring.coreos.com/podmonitors"}.
   */
  public Map<String, Long> requestCounts() {
    // ConformingCrudDispatcher.REQUEST_COUNTS (that class's mock-server dependencies stay out of this JVM)
    String counts = client().raw(url.replaceAll("/$", "") + "/stand-in/requests");
    Map<String, Long> byKind = new TreeMap<>();
    client().getKubernetesSerialization().unmarshal(counts, Map.class)
        .forEach((kind, count) -> byKind.put(String.valueOf(kind), ((Number) count).longValue()));
    return byKind;
  }

  /** A further client of its own, e.g. for a second operator replica; the caller closes it. */
  public KubernetesClient newClient() {
    return newClient(new ConfigBuilder(Config.empty()).build().getUserAgent());
  }

  /** A client that says it is {@code userAgent} (the stand-in counts requests by it). */
  public KubernetesClient newClient(String userAgent) {
    // Config.empty(): nothing from ~/.kube/config, KUBECONFIG, the environment or proxy settings leaks in.
    // The operator's HTTP client (EtcdOperatorMain): a watch whose WebSocket stream breaks off resumes.
    return new KubernetesClientBuilder().withHttpClientFactory(new ResumingWatchHttpClientFactory())
        .withConfig(new ConfigBuilder(Config.empty())
        .withMasterUrl(url)
        .withUserAgent(userAgent)
        .withTrustCerts(true)
        .withNamespace("default")
        // Plain HTTP: the JDK client would try an h2c upgrade, which loses large request bodies now and then
        // (a CRD create then never got an answer). Real API servers speak TLS and negotiate HTTP/2 by ALPN.
        .withHttp2Disable(true)
        // A lost request must fail the test, not hang the build.
        .withRequestTimeout(30_000)
        .build()).build();
  }

  /** Installs the project's committed CRDs (crds/), as `kubectl apply -f crds/` would. */
  public void installCrds() {
    Path dir = Path.of(System.getProperty("crds.dir", "../crds"));
    try (var files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
        try (var in = Files.newInputStream(file)) {
          client().apiextensions().v1().customResourceDefinitions().resource(client().getKubernetesSerialization()
              .unmarshal(in, io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition.class))
              .create();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the CRDs in " + dir.toAbsolutePath(), e);
    }
  }

  /** What the server wrote on stderr (the last 64 KiB), for diagnostics. */
  public String stderr() {
    synchronized (stderr) {
      return stderr.toString();
    }
  }

  /** Closes the client, then stops the server: stdin closed (it exits at EOF), forcibly after 5 s. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (client != null) {
      client.close();
    }
    stop(process);
    removeShutdownHook(shutdownHook);
  }

  private static void stop(Process process) {
    try {
      process.getOutputStream().close();
    } catch (IOException ignored) {
      // the process is gone already
    }
    try {
      if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void removeShutdownHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook runs anyway
    }
  }

  private static Path locateJar() {
    String configured = System.getProperty(JAR_PROPERTY);
    Path jar = configured != null && !configured.isBlank()
        ? Path.of(configured)
        : Path.of("..", "test-apiserver", "target", "test-apiserver.jar");
    jar = jar.toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("test API server jar not found at " + jar + " (system property "
          + JAR_PROPERTY + (configured == null ? " not set" : "=" + configured)
          + "). Build it first: ./mvnw -pl test-apiserver package");
    }
    return jar;
  }

  private static void joinQuietly(Thread thread) {
    try {
      thread.join(TimeUnit.SECONDS.toMillis(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Thread drain(InputStream stream, String name, Consumer<String> lines) {
    Thread thread = new Thread(() -> {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          lines.accept(line);
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, "test-apiserver-" + name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }
}
