package dev.etcdoperator.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real etcd cluster of N local processes for tests: member {@code k} runs on its own loopback address
 * {@code 127.a.b.(10+k)} with the usual ports (2379 client, 2380 peer, 2381 plain-HTTP metrics/health), which is
 * what a StatefulSet of pods looks like and keeps several clusters in one JVM (or several JVMs) apart.
 *
 * <pre>{@code
 * try (var etcd = EtcdProcessCluster.builder(tempDir).members(3).namePrefix("main").start()) {
 *     etcd.clientUrls(); etcd.kill(2); etcd.restart(2);
 * }
 * }</pre>
 *
 * <p>Never skips: a missing etcd binary is an error with install instructions. Every process is also killed by a
 * JVM shutdown hook, so no etcd outlives the test JVM even if a test forgets {@link #close()}.
 */
public final class EtcdProcessCluster implements AutoCloseable {

  /** System property naming the etcd binary (a path, or a name looked up on PATH). */
  public static final String BINARY_PROPERTY = "etcd.binary";
  static final String NOT_FOUND = "etcd binary not found on PATH: install it with "
      + "'apt-get install -y etcd-server etcd-client' (Debian) or set -Detcd.binary=...";

  private static final int CLIENT_PORT = 2379;
  private static final int PEER_PORT = 2380;
  private static final int METRICS_PORT = 2381;
  /** Blocks 127.a.b.0/24 with a in 1..254 (127.0.x is left to whatever else runs on the machine). */
  private static final int BLOCKS = 254 * 256;
  private static final AtomicInteger NEXT_BLOCK = new AtomicInteger(new SecureRandom().nextInt(BLOCKS));
  private static final int START_ATTEMPTS = 3;
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
        "etcd-process-cluster-reaper"));
  }

  private final Builder config;
  private final String binary;
  private final String token;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final List<Member> members = new ArrayList<>();

  private EtcdProcessCluster(Builder config) {
    this.config = config;
    this.binary = resolveBinary(config.binary);
    this.token = config.namePrefix + "-" + Long.toHexString(new SecureRandom().nextLong());
  }

  public static Builder builder(Path baseDir) {
    return new Builder(baseDir);
  }

  /** Configuration; {@link #start()} builds and starts in one go. */
  public static final class Builder {
    private final Path baseDir;
    private int size = 1;
    private String namePrefix = "etcd";
    private String binary;
    private Duration startTimeout = Duration.ofSeconds(20);
    private String clientScheme = "http";
    private String peerScheme = "http";
    private final List<String> extraArgs = new ArrayList<>();
    private Function<MemberSpec, List<String>> memberArgs = member -> List.of();

    private Builder(Path baseDir) {
      this.baseDir = Objects.requireNonNull(baseDir, "baseDir");
    }

    public Builder members(int size) {
      if (size < 1 || size > 200) {
        throw new IllegalArgumentException("members must be 1..200, got " + size);
      }
      this.size = size;
      return this;
    }

    /** Member names are {@code <prefix>-0 .. <prefix>-(N-1)}, like StatefulSet pods. */
    public Builder namePrefix(String prefix) {
      this.namePrefix = Objects.requireNonNull(prefix);
      return this;
    }

    /** The etcd binary (overrides {@code -Detcd.binary} and PATH). */
    public Builder binary(String pathOrName) {
      this.binary = pathOrName;
      return this;
    }

    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /** Extra flags for every member, e.g. TLS flags or tuning; appended after ours, so they win. */
    public Builder extraArgs(String... args) {
      this.extraArgs.addAll(List.of(args));
      return this;
    }

    /**
     * Extra flags per member, computed when the member is launched (its address is known by then), e.g. the
     * paths of a server certificate issued for {@link MemberSpec#host()}.
     */
    public Builder memberArgs(Function<MemberSpec, List<String>> args) {
      this.memberArgs = Objects.requireNonNull(args);
      return this;
    }

    /** {@code https} once TLS flags are passed through {@link #extraArgs}/{@link #memberArgs}. */
    public Builder clientScheme(String scheme) {
      this.clientScheme = scheme;
      return this;
    }

    public Builder peerScheme(String scheme) {
      this.peerScheme = scheme;
      return this;
    }

    /** Checks the binary and reserves addresses; starts nothing. */
    public EtcdProcessCluster build() {
      return new EtcdProcessCluster(this);
    }

    public EtcdProcessCluster start() {
      return build().start();
    }
  }

  /** What a {@link Builder#memberArgs} callback may need to know about the member being launched. */
  public record MemberSpec(int ordinal, String name, String host, Path dataDir) {
  }

  private static final class Member {
    final int ordinal;
    final String name;
    final String host;
    Process process;
    boolean paused;

    Member(int ordinal, String name, String host) {
      this.ordinal = ordinal;
      this.name = name;
      this.host = host;
    }
  }

  /**
   * Starts all members with {@code --initial-cluster-state=new} and waits until every one reports healthy. If the
   * chosen addresses turn out to be taken in the meantime, tries again on another address block.
   */
  public synchronized EtcdProcessCluster start() {
    if (!members.isEmpty()) {
      throw new IllegalStateException("already started");
    }
    for (int attempt = 1; ; attempt++) {
      allocateAddresses();
      try {
        for (Member m : members) {
          deleteRecursively(dataDir(m.ordinal));
          Files.deleteIfExists(logFile(m.ordinal));
          launch(m, "new");
        }
        awaitAll(config.startTimeout, true);
        return this;
      } catch (IOException e) {
        stopAll();
        throw new UncheckedIOException(e);
      } catch (RuntimeException e) {
        boolean portClash = IntStream.range(0, size())
            .anyMatch(i -> logTail(i).contains("address already in use"));
        stopAll();
        if (!portClash || attempt == START_ATTEMPTS) {
          throw e;
        }
        members.clear();
      }
    }
  }

  public int size() {
    return config.size;
  }

  public String token() {
    return token;
  }

  public String memberName(int ordinal) {
    return config.namePrefix + "-" + ordinal;
  }

  /** The member's own loopback address, e.g. {@code 127.42.7.10}. */
  public String host(int ordinal) {
    return member(ordinal).host;
  }

  public URI clientUrl(int ordinal) {
    return url(config.clientScheme, ordinal, CLIENT_PORT);
  }

  public List<URI> clientUrls() {
    return IntStream.range(0, size()).mapToObj(this::clientUrl).toList();
  }

  public URI peerUrl(int ordinal) {
    return url(config.peerScheme, ordinal, PEER_PORT);
  }

  /** Plain-HTTP listener with {@code /health} and {@code /metrics}. */
  public URI metricsUrl(int ordinal) {
    return url("http", ordinal, METRICS_PORT);
  }

  public Path dataDir(int ordinal) {
    return config.baseDir.resolve(memberName(ordinal));
  }

  /** stdout and stderr of the member, appended across restarts. */
  public Path logFile(int ordinal) {
    return config.baseDir.resolve(memberName(ordinal) + ".log");
  }

  public synchronized boolean isRunning(int ordinal) {
    Process p = member(ordinal).process;
    return p != null && p.isAlive();
  }

  /** SIGKILL, and waits until the process is gone. */
  public synchronized void kill(int ordinal) {
    stop(member(ordinal));
  }

  /** SIGSTOP: the process keeps its sockets but answers nothing, like a hung node. */
  public synchronized void pause(int ordinal) {
    signal(ordinal, "STOP");
    member(ordinal).paused = true;
  }

  /** SIGCONT after {@link #pause}. */
  public synchronized void resume(int ordinal) {
    signal(ordinal, "CONT");
    member(ordinal).paused = false;
  }

  public synchronized boolean isPaused(int ordinal) {
    return member(ordinal).paused;
  }

  /**
   * Undoes every fault: resumes paused members, restarts stopped ones, then waits until all are healthy.
   * Handy in {@code @AfterEach} so fault tests can share one cluster.
   */
  public synchronized void heal() {
    for (Member m : members) {
      if (m.paused) {
        resume(m.ordinal);
      }
      if (m.process == null || !m.process.isAlive()) {
        restart(m.ordinal);
      }
    }
    awaitHealthy();
  }

  /**
   * Starts a stopped (or running: it is killed first) member again on the same data dir with
   * {@code --initial-cluster-state=existing}, and waits until it serves HTTP. It does not wait for health: the
   * member may legitimately be unhealthy (no quorum) until others come back; see {@link #awaitHealthy(int)}.
   */
  public synchronized void restart(int ordinal) {
    Member m = member(ordinal);
    stop(m);
    launch(m, "existing");
    awaitMember(m, config.startTimeout, false);
  }

  /** Waits until every running member reports healthy on {@code /health}. */
  public void awaitHealthy() {
    awaitAll(config.startTimeout, true);
  }

  public void awaitHealthy(int ordinal) {
    awaitMember(member(ordinal), config.startTimeout, true);
  }

  /**
   * Kills every member (SIGKILL) and waits for them to exit. Final: the cluster cannot be restarted afterwards.
   * Data dirs and logs stay (under the caller's directory) for post-mortems.
   */
  @Override
  public synchronized void close() {
    stopAll();
    http.shutdownNow();
  }

  /** The last lines of a member's log, for failure messages. */
  public String logTail(int ordinal) {
    Path log = logFile(ordinal);
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

  // ---------------------------------------------------------------------------------------------------------

  private Member member(int ordinal) {
    if (ordinal < 0 || ordinal >= members.size()) {
      throw new IllegalArgumentException("no member " + ordinal + " (cluster has " + members.size() + ")");
    }
    return members.get(ordinal);
  }

  private URI url(String scheme, int ordinal, int port) {
    return URI.create(scheme + "://" + host(ordinal) + ":" + port);
  }

  /** Picks a fresh 127.a.b.0/24 block whose member addresses can bind all three ports right now. */
  private void allocateAddresses() {
    for (int tries = 0; tries < 64; tries++) {
      int block = Math.floorMod(NEXT_BLOCK.getAndIncrement(), BLOCKS);
      String prefix = "127." + (1 + block / 256) + "." + (block % 256) + ".";
      List<String> hosts = IntStream.range(0, size()).mapToObj(k -> prefix + (10 + k)).toList();
      if (hosts.stream().allMatch(EtcdProcessCluster::bindable)) {
        members.clear();
        for (int k = 0; k < size(); k++) {
          members.add(new Member(k, memberName(k), hosts.get(k)));
        }
        return;
      }
    }
    throw new IllegalStateException("no free 127.x.y.0/24 block with bindable ports 2379-2381 after 64 tries");
  }

  private static boolean bindable(String host) {
    for (int port : new int[] {CLIENT_PORT, PEER_PORT, METRICS_PORT}) {
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  private void launch(Member m, String clusterState) {
    List<String> cmd = new ArrayList<>(List.of(
        binary,
        "--name=" + m.name,
        "--data-dir=" + dataDir(m.ordinal),
        "--listen-client-urls=" + clientUrl(m.ordinal),
        "--advertise-client-urls=" + clientUrl(m.ordinal),
        "--listen-peer-urls=" + peerUrl(m.ordinal),
        "--initial-advertise-peer-urls=" + peerUrl(m.ordinal),
        "--listen-metrics-urls=" + metricsUrl(m.ordinal),
        "--initial-cluster=" + IntStream.range(0, size())
            .mapToObj(i -> memberName(i) + "=" + peerUrl(i)).collect(Collectors.joining(",")),
        "--initial-cluster-state=" + clusterState,
        "--initial-cluster-token=" + token,
        "--logger=zap",
        "--log-outputs=stderr"));
    cmd.addAll(config.extraArgs);
    cmd.addAll(config.memberArgs.apply(new MemberSpec(m.ordinal, m.name, m.host, dataDir(m.ordinal))));
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(m.ordinal).toFile()));
    // ETCD_* variables in the developer's environment would configure what our flags leave unset (flags win
    // only over their own variable). ETCD_UNSUPPORTED_ARCH stays: arm64 machines need it to run etcd 3.4 at all.
    pb.environment().keySet().removeIf(k -> k.startsWith("ETCD_") && !k.equals("ETCD_UNSUPPORTED_ARCH"));
    try {
      Files.createDirectories(config.baseDir);
      m.process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + binary + " for " + m.name + ": " + e.getMessage(), e);
    }
    LIVE.add(m.process);
  }

  private void awaitAll(Duration timeout, boolean healthy) {
    for (Member m : members) {
      if (m.process != null && m.process.isAlive()) {
        awaitMember(m, timeout, healthy);
      }
    }
  }

  /** Polls the metrics listener until {@code /health} says true (or, if !healthy, until it answers at all). */
  private void awaitMember(Member m, Duration timeout, boolean healthy) {
    try {
      Awaitility.await("etcd member " + m.name + (healthy ? " healthy" : " serving"))
          .atMost(timeout)
          .pollDelay(Duration.ofMillis(50))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> {
            if (!m.process.isAlive()) {
              throw new IllegalStateException("etcd member " + m.name + " exited with code "
                  + m.process.exitValue() + "; log tail:\n" + logTail(m.ordinal));
            }
            return probe(m, healthy);
          });
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException("etcd member " + m.name + " not " + (healthy ? "healthy" : "serving")
          + " within " + timeout + "; log tail:\n" + logTail(m.ordinal), e);
    }
  }

  private boolean probe(Member m, boolean healthy) {
    HttpRequest request = HttpRequest.newBuilder(metricsUrl(m.ordinal).resolve("/health"))
        .timeout(Duration.ofSeconds(2)).GET().build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return !healthy || (response.statusCode() == 200 && response.body().contains("\"health\":\"true\""));
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void signal(int ordinal, String signal) {
    Process p = member(ordinal).process;
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException(memberName(ordinal) + " is not running");
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
      throw new IllegalStateException("interrupted while signalling " + memberName(ordinal), e);
    }
  }

  private void stopAll() {
    members.forEach(this::stop);
  }

  private void stop(Member m) {
    Process p = m.process;
    if (p == null) {
      return;
    }
    p.destroyForcibly(); // SIGKILL; also ends a SIGSTOPped process
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("etcd member " + m.name + " (pid " + p.pid() + ") did not exit");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LIVE.remove(p);
    m.process = null;
    m.paused = false;
  }

  /** The binary from the builder, else {@code -Detcd.binary}, else {@code etcd} on PATH. */
  static String resolveBinary(String configured) {
    String wanted = configured != null ? configured : System.getProperty(BINARY_PROPERTY, "etcd");
    if (wanted.contains(File.separator)) {
      Path path = Path.of(wanted);
      if (Files.isRegularFile(path) && Files.isExecutable(path)) {
        return path.toAbsolutePath().toString();
      }
      throw new IllegalStateException(NOT_FOUND + " (no executable file at " + path + ")");
    }
    String pathEnv = Objects.requireNonNullElse(System.getenv("PATH"), "");
    return Stream.of(pathEnv.split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, wanted))
        .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
        .findFirst()
        .map(Path::toString)
        .orElseThrow(() -> new IllegalStateException(NOT_FOUND + " (looked for '" + wanted + "')"));
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
