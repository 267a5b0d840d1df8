package dev.etcdoperator.etcd;

import dev.etcdoperator.support.EtcdVersion;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.GetResponse;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's only way to talk to etcd: a small, blocking facade over jetcd.
 *
 * <p>Every call is bounded by {@link EtcdConnection#requestTimeout()} (on the wire, through gRPC deadlines, and in
 * our own wait) and reports an etcd that does not answer as {@link EtcdUnavailableException}. Calls about one
 * member ({@link #status}, {@link #isHealthy}, {@link #observe}) talk to exactly that member's endpoint, which need
 * not be among the connection's endpoints. Thread-safe; {@link #close()} releases all threads and connections.
 */
public final class EtcdClient implements AutoCloseable {
  /** etcd's ErrUnhealthy: the leader has not been connected to every voter for long enough to change members. */
  static final String CLUSTER_NOT_SETTLED = "etcdserver: unhealthy cluster";
  /** etcd's ErrLearnerNotReady: the learner is not yet in sync with the leader. */
  static final String LEARNER_NOT_READY = "can only promote a learner member which is in sync with leader";

  private static final Logger LOG = LoggerFactory.getLogger(EtcdClient.class);

  private final EtcdConnection connection;
  private final JetcdFactory factory;
  private final Client client;
  private final ProbeChannels probeChannels;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EtcdClient(EtcdConnection connection, JetcdFactory factory, Client client) {
    this.connection = connection;
    this.factory = factory;
    this.client = client;
    this.probeChannels = new ProbeChannels(factory);
  }

  /** Creates the client; connections are opened lazily, so this never blocks or fails on an unreachable etcd. */
  public static EtcdClient connect(EtcdConnection connection) {
    return connect(connection, Optional.empty());
  }

  /**
   * Like {@link #connect(EtcdConnection)}, with jetcd's callbacks on {@code executor} (see {@link #sharedExecutor}),
   * which {@link #close()} leaves running: an operator with many clusters then needs no threads per cluster.
   */
  public static EtcdClient connect(EtcdConnection connection, ExecutorService executor) {
    return connect(connection, Optional.of(executor));
  }

  /**
   * A pool of daemon threads named {@code <prefix>N} for clients to share; whoever made it shuts it down after
   * closing them.
   */
  public static ExecutorService sharedExecutor(String prefix) {
    return JetcdFactory.sharedExecutor(prefix);
  }

  private static EtcdClient connect(EtcdConnection connection, Optional<ExecutorService> executor) {
    Objects.requireNonNull(connection, "connection");
    JetcdFactory factory = new JetcdFactory(connection, executor);
    try {
      return new EtcdClient(connection, factory, factory.client(connection.endpoints(), true));
    } catch (RuntimeException e) {
      factory.close();
      throw e;
    }
  }

  public EtcdConnection connection() {
    return connection;
  }

  /** The cluster's members, as seen by whichever of the connection's endpoints answers. */
  public MemberList listMembers() {
    ensureOpen();
    return Convert.memberList(await(client.getClusterClient().listMember(), "member list"));
  }

  /** What the member at {@code endpoint} reports about itself; asks that member only. */
  public MemberStatus status(URI endpoint) {
    checkEndpoint(endpoint);
    // Over the member's own kept channel, not the balanced one, so this member answers.
    return Convert.status(endpoint, Failures.await(probeChannels.to(endpoint).status(), deadline(), "status",
        List.of(endpoint), timeout()));
  }

  /** Compaction, defragmentation and alarm disarming, over this client's connection. */
  public EtcdMaintenance maintenance() {
    ensureOpen();
    return new EtcdMaintenance(client, timeout(), connection.endpoints());
  }

  /** How the member at {@code endpoint} stands towards a downgrade (its storage version, the downgrade enabled). */
  public DowngradeStatus downgradeStatus(URI endpoint) {
    checkEndpoint(endpoint);
    return factory.downgradeCalls().status(endpoint);
  }

  /**
   * Asks etcd (through the member at {@code via}, best the leader) to check that the cluster can go down to
   * {@code minor}, then to enable that downgrade; throws {@link EtcdClientException} with etcd's reason when it
   * refuses either. etcd 3.6+ only: older members do not know the call.
   */
  public void enableDowngrade(URI via, EtcdVersion minor) {
    checkEndpoint(via);
    DowngradeCalls calls = factory.downgradeCalls();
    String target = minor.major() + "." + minor.minor();
    calls.downgrade(via, DowngradeCalls.Action.VALIDATE, target);
    calls.downgrade(via, DowngradeCalls.Action.ENABLE, target);
  }

  /** What a snapshot of the member at {@code endpoint} starts from: its cluster, revision and version. */
  public SnapshotSource snapshotSource(URI endpoint) {
    checkEndpoint(endpoint);
    var status = Failures.await(probeChannels.to(endpoint).status(), deadline(), "status", List.of(endpoint),
        timeout());
    return new SnapshotSource(endpoint, status.getHeader().getMemberId(), status.getHeader().getClusterId(),
        status.getHeader().getRevision(), status.getVersion());
  }

  /**
   * Like {@code etcdctl endpoint health}: the member at {@code endpoint} serves a linearizable read within the
   * request timeout and the cluster has no active alarm. Never throws for an unhealthy member: down, paused and
   * partitioned members all give {@code false} within the timeout.
   */
  public boolean isHealthy(URI endpoint) {
    checkEndpoint(endpoint);
    EndpointProbe.Result result = EndpointProbe.health(probeChannels.to(endpoint), endpoint, timeout())
        .await(deadline());
    dropIfSilent(result);
    result.healthError().ifPresent(e -> LOG.debug("etcd member {} is not healthy: {}", endpoint, e));
    return result.healthy() && result.alarms().isEmpty();
  }

  /**
   * One round of observation for the reconciler: the member list plus a probe (status and health) of every given
   * member endpoint, all asked in parallel, so the whole call takes at most about one request timeout. Members
   * that are down get a probe with an error instead of a status.
   *
   * @throws EtcdUnavailableException if no endpoint answers the member list
   */
  public ClusterObservation observe(List<URI> memberEndpoints) {
    if (memberEndpoints.isEmpty()) {
      throw new IllegalArgumentException("observe needs at least one member endpoint");
    }
    memberEndpoints.forEach(this::checkEndpoint);
    List<URI> endpoints = memberEndpoints.stream().distinct().toList();
    long deadline = deadline();
    probeChannels.keepOnly(endpoints);
    List<EndpointProbe> probes = endpoints.stream()
        .map(endpoint -> EndpointProbe.full(probeChannels.to(endpoint), endpoint, timeout())).toList();
    List<EndpointProbe.Result> results = new ArrayList<>();
    for (EndpointProbe probe : probes) {
      EndpointProbe.Result result = probe.await(deadline);
      dropIfSilent(result);
      results.add(result);
    }
    MemberList memberList = chooseMemberList(results, endpoints);
    Map<URI, MemberProbe> byEndpoint = new LinkedHashMap<>();
    for (EndpointProbe.Result r : results) {
      byEndpoint.put(r.endpoint(), toProbe(r, memberList));
    }
    List<EtcdAlarm> alarms = results.stream().filter(r -> r.statusCluster() == memberList.clusterId())
        .flatMap(r -> r.alarms().stream()).distinct().toList();
    return new ClusterObservation(memberList.clusterId(), memberList.members(), byEndpoint, alarms);
  }

  /**
   * Asks the member at {@code via} (a voting member) to add a learner that will join at {@code peerUrl}; returns it as etcd lists it (not yet started, so no name).
   * Empty, changing nothing, while etcd refuses membership changes because its leader has not been connected to
   * every voter for the last few seconds (as right after a member started): the caller retries later. Not
   * idempotent: the caller must first check the member list for a member at that peer URL.
   */
  public Optional<EtcdMember> addLearner(URI via, URI peerUrl) {
    try {
      return Optional.of(Convert.member(onEndpoint(via, c -> c.getClusterClient().addMember(List.of(peerUrl), true),
          "member add").getMember()));
    } catch (EtcdUnavailableException e) {
      if (e.getMessage().contains(CLUSTER_NOT_SETTLED)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * Asks the member at {@code via} (a voting member) to promote a learner to a voting member. Returns false, changing nothing, while etcd says the learner has not
   * caught up with the leader yet (the caller retries later).
   */
  public boolean promote(URI via, long memberId) {
    try {
      onEndpoint(via, c -> c.getClusterClient().promoteMember(memberId), "member promote");
      return true;
    } catch (EtcdClientException e) {
      if (e.getMessage().contains(LEARNER_NOT_READY)) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Asks the member at {@code via} (a voting member) to remove a member (voter or learner) from the cluster. Returns false, changing nothing, while etcd refuses
   * membership changes because its leader has not been connected to every voter for the last few seconds (as right
   * after leadership moved): the caller retries later.
   */
  public boolean removeMember(URI via, long memberId) {
    try {
      onEndpoint(via, c -> c.getClusterClient().removeMember(memberId), "member remove");
      return true;
    } catch (EtcdUnavailableException e) {
      if (e.getMessage().contains(CLUSTER_NOT_SETTLED)) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Asks the leader, which must be the member at {@code leaderEndpoint} (etcd refuses the request elsewhere), to
   * hand leadership to {@code transfereeId}.
   */
  public void moveLeader(URI leaderEndpoint, long transfereeId) {
    onEndpoint(leaderEndpoint, c -> c.getMaintenanceClient().moveLeader(transfereeId), "move leader");
  }

  /**
   * One call over a client bound to {@code endpoint} only. Membership changes go to a voting member (the leader,
   * ideally): the balanced client could pick a learner, which refuses them.
   */
  private <T> T onEndpoint(URI endpoint, Function<Client, CompletableFuture<T>> call, String what) {
    checkEndpoint(endpoint);
    Client single = factory.client(List.of(endpoint), false);
    try {
      return Failures.await(call.apply(single), deadline(), what, List.of(endpoint), timeout());
    } finally {
      single.close();
    }
  }

  /**
   * Streams a snapshot of the member at {@code endpoint} into {@code out}, as etcd sends it (the backend database
   * of that member), and returns its size. Memory stays bounded: a slow {@code out} holds gRPC's flow control,
   * which holds etcd. Not closed here.
   *
   * @param deadline how long the whole snapshot may take (a large database takes longer than a request)
   */
  public long snapshot(URI endpoint, OutputStream out, Duration deadline) {
    checkEndpoint(endpoint);
    Client single = factory.client(List.of(endpoint), false);
    try {
      return Failures.await(single.getMaintenanceClient().snapshot(out), System.nanoTime() + deadline.toNanos(),
          "snapshot", List.of(endpoint), deadline);
    } finally {
      single.close();
    }
  }

  /** Writes {@code key=value} (UTF-8). */
  public void put(String key, String value) {
    ensureOpen();
    await(client.getKVClient().put(bytes(key), bytes(value)), "put of '" + key + "'");
  }

  /** Linearizable read of {@code key} (UTF-8); empty when the key does not exist. */
  public Optional<String> get(String key) {
    ensureOpen();
    GetResponse response = await(client.getKVClient().get(bytes(key)), "get of '" + key + "'");
    return response.getKvs().stream().findFirst().map(kv -> kv.getValue().toString(StandardCharsets.UTF_8));
  }

  /** A member that did not answer every question gets a fresh channel next time. */
  private void dropIfSilent(EndpointProbe.Result result) {
    if (!result.errorSummary().isEmpty()) {
      probeChannels.drop(result.endpoint());
    }
  }

  /** How many per-member probe channels were opened so far; for tests. */
  int probeChannelsOpened() {
    return probeChannels.opened();
  }

  /** Closes connections and stops this client's threads. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        probeChannels.close();
        client.close();
      } finally {
        factory.close();
      }
    }
  }

  /** Name prefix of the threads this client owns; lets tests check they are gone after {@link #close()}. */
  String threadNamePrefix() {
    return factory.threadNamePrefix();
  }

  /** Prefer the leader's view of membership, then any healthy member's: a lagging member may be stale. */
  private MemberList chooseMemberList(List<EndpointProbe.Result> results, List<URI> endpoints) {
    Comparator<EndpointProbe.Result> preference = Comparator
        .comparing((EndpointProbe.Result r) -> !r.status().map(MemberStatus::isLeader).orElse(false))
        .thenComparing(r -> !r.healthy());
    return results.stream()
        .filter(r -> r.members().isPresent())
        .sorted(preference)
        .findFirst()
        .flatMap(EndpointProbe.Result::members)
        .orElseThrow(() -> new EtcdUnavailableException("no etcd endpoint answered the member list: "
            + String.join("; ", results.stream().map(r -> r.endpoint() + ": " + r.errorSummary()).toList()),
            endpoints));
  }

  private static MemberProbe toProbe(EndpointProbe.Result r, MemberList memberList) {
    long clusterId = memberList.clusterId();
    if (r.status().isEmpty()) {
      return MemberProbe.unhealthy(r.endpoint(), Optional.empty(), r.errorSummary());
    }
    if (r.statusCluster() != clusterId) {
      // Another cluster answering at a member's address (e.g. a stale data dir) must never count as healthy.
      return MemberProbe.unhealthy(r.endpoint(), r.status(), "member belongs to cluster "
          + EtcdIds.toHex(r.statusCluster()) + ", not " + EtcdIds.toHex(clusterId));
    }
    MemberStatus status = r.status().get();
    if (memberList.members().stream().anyMatch(m -> m.id() == status.memberId() && m.learner())) {
      // A learner refuses linearizable reads and alarm requests by design: answering status without errors is
      // all a learner can show. Whether it has caught up is etcd's call when it is promoted.
      return status.errors().isEmpty() ? MemberProbe.healthy(r.endpoint(), status)
          : MemberProbe.unhealthy(r.endpoint(), r.status(), String.join("; ", status.errors()));
    }
    return r.healthError()
        .map(error -> MemberProbe.unhealthy(r.endpoint(), r.status(), error))
        .orElseGet(() -> MemberProbe.healthy(r.endpoint(), r.status().orElseThrow()));
  }

  private <T> T await(CompletableFuture<T> future, String what) {
    ensureOpen();
    return Failures.await(future, deadline(), what, connection.endpoints(), timeout());
  }

  private void checkEndpoint(URI endpoint) {
    ensureOpen();
    Endpoints.validate(endpoint, connection.tls().isPresent() ? "https" : "http");
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("EtcdClient is closed");
    }
  }

  private long deadline() {
    return System.nanoTime() + timeout().toNanos();
  }

  private Duration timeout() {
    return connection.requestTimeout();
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
