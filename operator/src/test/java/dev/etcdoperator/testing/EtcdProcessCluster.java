package dev.etcdoperator.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

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

  private static final int CLIENT_PORT = 2379;
  private static final int PEER_PORT = 2380;
  private static final int METRICS_PORT = 2381;
  private static final int START_ATTEMPTS = 3;

  private final Builder config;
  private final String binary;
  private final String token;
  private final MemberHealthCheck health = new MemberHealthCheck();
  private final List<EtcdMemberProcess> members = new ArrayList<>();
  /** Ordinals in the member list the next launched member is given as its initial cluster. */
  private final java.util.SortedSet<Integer> inCluster = new java.util.TreeSet<>();

  private EtcdProcessCluster(Builder config) {
    this.config = config;
    this.binary = EtcdBinary.resolve(config.binary);
    this.token = config.namePrefix + "-" + Long.toHexString(new SecureRandom().nextLong());
  }

  public static Builder builder(Path baseDir) {
    return new Builder(baseDir);
  }

  /** Configuration; {@link #start()} builds and starts in one go. */
  public static final class Builder {
    private final Path baseDir;
    private int size = 1;
    private int spares;
    private String namePrefix = "etcd";
    private String binary;
    private Duration startTimeout = Duration.ofSeconds(20);
    private String clientScheme = "http";
    private String peerScheme = "http";
    private final List<String> extraArgs = new ArrayList<>();
    private Function<MemberSpec, List<String>> memberArgs = member -> List.of();
    private Path snapshot;

    private Builder(Path baseDir) {
      this.baseDir = Objects.requireNonNull(baseDir, "baseDir");
    }

    /**
     * Every member starts from this snapshot, restored with {@code etcdctl snapshot restore} into its data
     * directory (as a restore of a new logical cluster does: same snapshot, this cluster's names, URLs and token).
     */
    public Builder restoredFrom(Path snapshot) {
      this.snapshot = snapshot;
      return this;
    }

    public Builder members(int size) {
      if (size < 1 || size > 200) {
        throw new IllegalArgumentException("members must be 1..200, got " + size);
      }
      this.size = size;
      return this;
    }

    /**
     * Addresses reserved for members that join later ({@link #join}): ordinals {@code size .. size+spares-1}, not
     * started by {@link #start()}.
     */
    public Builder spares(int spares) {
      this.spares = spares;
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
        inCluster.clear();
        IntStream.range(0, size()).forEach(inCluster::add);
        for (EtcdMemberProcess m : members.subList(0, size())) {
          m.wipe();
          if (config.snapshot != null) {
            restore(m);
          }
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
    return member(ordinal).isRunning();
  }

  /** SIGKILL, and waits until the process is gone. */
  public synchronized void kill(int ordinal) {
    member(ordinal).kill();
  }

  /** SIGSTOP: the process keeps its sockets but answers nothing, like a hung node. */
  public synchronized void pause(int ordinal) {
    member(ordinal).pause();
  }

  /** SIGCONT after {@link #pause}. */
  public synchronized void resume(int ordinal) {
    member(ordinal).resume();
  }

  public synchronized boolean isPaused(int ordinal) {
    return member(ordinal).isPaused();
  }

  /**
   * Undoes every fault: resumes paused members, restarts stopped ones, then waits until all are healthy.
   * Handy in {@code @AfterEach} so fault tests can share one cluster.
   */
  public synchronized void heal() {
    for (EtcdMemberProcess m : members) {
      if (m.isPaused()) {
        resume(m.ordinal);
      }
      if (!m.isRunning()) {
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
    EtcdMemberProcess m = member(ordinal);
    m.kill();
    launch(m, "existing");
    awaitMember(m, config.startTimeout, false);
  }

  /**
   * Starts a spare member ({@link Builder#spares}) with an empty data dir and {@code --initial-cluster-state=existing},
   * its initial cluster being the members started or joined so far plus itself. It must have been added to the
   * cluster (member add) first; this waits only until it serves HTTP.
   */
  public synchronized void join(int ordinal) {
    EtcdMemberProcess m = member(ordinal);
    m.kill();
    try {
      m.wipe();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    inCluster.add(ordinal);
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
    health.close();
  }

  /** The last lines of a member's log, for failure messages. */
  public String logTail(int ordinal) {
    return EtcdMemberProcess.logTail(logFile(ordinal));
  }

  // ---------------------------------------------------------------------------------------------------------

  private EtcdMemberProcess member(int ordinal) {
    if (ordinal < 0 || ordinal >= members.size()) {
      throw new IllegalArgumentException("no member " + ordinal + " (cluster has " + members.size() + ")");
    }
    return members.get(ordinal);
  }

  private URI url(String scheme, int ordinal, int port) {
    return URI.create(scheme + "://" + host(ordinal) + ":" + port);
  }

  /** Gives the members a fresh 127.a.b.0/24 block whose addresses can bind all three ports right now. */
  private void allocateAddresses() {
    List<String> hosts = LoopbackBlocks.allocate(size() + config.spares, CLIENT_PORT, PEER_PORT, METRICS_PORT);
    members.clear();
    for (int k = 0; k < size() + config.spares; k++) {
      members.add(new EtcdMemberProcess(k, memberName(k), hosts.get(k), dataDir(k), logFile(k)));
    }
  }

  private void launch(EtcdMemberProcess m, String clusterState) {
    List<String> cmd = new ArrayList<>(List.of(
        binary,
        "--name=" + m.name,
        "--data-dir=" + dataDir(m.ordinal),
        "--listen-client-urls=" + clientUrl(m.ordinal),
        "--advertise-client-urls=" + clientUrl(m.ordinal),
        "--listen-peer-urls=" + peerUrl(m.ordinal),
        "--initial-advertise-peer-urls=" + peerUrl(m.ordinal),
        "--listen-metrics-urls=" + metricsUrl(m.ordinal),
        "--initial-cluster=" + inCluster.stream()
            .map(i -> memberName(i) + "=" + peerUrl(i)).collect(Collectors.joining(",")),
        "--initial-cluster-state=" + clusterState,
        "--initial-cluster-token=" + token,
        "--logger=zap",
        "--log-outputs=stderr"));
    cmd.addAll(config.extraArgs);
    cmd.addAll(config.memberArgs.apply(m.spec()));
    m.launch(cmd);
  }

  private void restore(EtcdMemberProcess m) throws IOException {
    ProcessBuilder restore = new ProcessBuilder("etcdctl", "snapshot", "restore", config.snapshot.toString(),
        "--name=" + m.name, "--data-dir=" + dataDir(m.ordinal),
        "--initial-cluster=" + inCluster.stream().map(i -> memberName(i) + "=" + peerUrl(i))
            .collect(Collectors.joining(",")),
        "--initial-cluster-token=" + token, "--initial-advertise-peer-urls=" + peerUrl(m.ordinal))
        .redirectErrorStream(true);
    restore.environment().put("ETCDCTL_API", "3");
    Process process = restore.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    try {
      if (process.waitFor() != 0) {
        throw new IOException("etcdctl snapshot restore for " + m.name + " failed: " + output.strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private void awaitAll(Duration timeout, boolean healthy) {
    for (EtcdMemberProcess m : members) {
      if (m.isRunning()) {
        awaitMember(m, timeout, healthy);
      }
    }
  }

  private void awaitMember(EtcdMemberProcess m, Duration timeout, boolean healthy) {
    health.await(m, metricsUrl(m.ordinal), timeout, healthy);
  }

  private void stopAll() {
    members.forEach(EtcdMemberProcess::kill);
  }
}
