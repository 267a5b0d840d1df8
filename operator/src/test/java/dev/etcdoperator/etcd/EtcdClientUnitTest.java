package dev.etcdoperator.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.common.exception.EtcdExceptionFactory;
import io.grpc.Status;
import java.net.ConnectException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The parts of the facade that need no etcd: URL handling, ids, value types and error translation. */
class EtcdClientUnitTest {

  private static final URI A = URI.create("http://127.0.0.10:2379");
  private static final URI B = URI.create("http://127.0.0.11:2379");
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  @Test
  void targetListsHostPortsForJetcdsIpResolver() {
    assertThat(Endpoints.target(List.of(A, B))).isEqualTo("ip:///127.0.0.10:2379,127.0.0.11:2379");
    assertThat(Endpoints.target(A)).isEqualTo("ip:///127.0.0.10:2379");
    assertThat(Endpoints.target(List.of(A, A))).isEqualTo("ip:///127.0.0.10:2379");
    assertThat(Endpoints.target(URI.create("http://main-0.main-peer.ns.svc"))).isEqualTo(
        "ip:///main-0.main-peer.ns.svc:2379");
    assertThat(Endpoints.target(URI.create("https://[::1]:32379/"))).isEqualTo("ip:///[::1]:32379");
  }

  @Test
  void describeNamesOneOrSeveralEndpoints() {
    assertThat(Endpoints.describe(List.of(A))).isEqualTo("http://127.0.0.10:2379");
    assertThat(Endpoints.describe(List.of(A, B))).isEqualTo("[http://127.0.0.10:2379, http://127.0.0.11:2379]");
  }

  @Test
  void connectionRejectsUnusableEndpoints() {
    assertThatThrownBy(() -> EtcdConnection.plain(List.of(), TIMEOUT))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one");
    assertThatThrownBy(() -> EtcdConnection.plain(List.of(URI.create("etcd-0:2379")), TIMEOUT))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http://");
    assertThatThrownBy(() -> EtcdConnection.plain(List.of(URI.create("http://h:2379/v3/kv")), TIMEOUT))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scheme://host:port only");
    assertThatThrownBy(() -> EtcdConnection.plain(List.of(URI.create("https://h:2379")), TIMEOUT))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no TLS configured");
    EtcdTls tls = new EtcdTls(Path.of("ca.pem"), Path.of("client.pem"), Path.of("client-key.pem"));
    assertThatThrownBy(() -> EtcdConnection.withTls(List.of(A), TIMEOUT, tls))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has TLS configured");
    assertThatThrownBy(() -> EtcdConnection.plain(List.of(A), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requestTimeout");
  }

  @Test
  void connectionKeepsItsSettings() {
    EtcdConnection plain = EtcdConnection.plain(List.of(A, B), TIMEOUT);
    assertThat(plain.endpoints()).containsExactly(A, B);
    assertThat(plain.tls()).isEmpty();
    EtcdTls tls = new EtcdTls(Path.of("ca.pem"), Path.of("client.pem"), Path.of("client-key.pem"));
    assertThat(EtcdConnection.withTls(List.of(URI.create("https://h:2379")), TIMEOUT, tls).tls()).contains(tls);
  }

  @Test
  void tlsWithUnreadableFilesFailsAtConnectWithTheFileNames() {
    EtcdTls tls = new EtcdTls(Path.of("/nonexistent/ca.pem"), Path.of("/nonexistent/client.pem"),
        Path.of("/nonexistent/client-key.pem"));
    EtcdConnection connection = EtcdConnection.withTls(List.of(URI.create("https://h:2379")), TIMEOUT, tls);
    assertThatThrownBy(() -> EtcdClient.connect(connection))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/nonexistent/ca.pem")
        .hasMessageContaining("PKCS#8");
  }

  @Test
  void idsPrintAsEtcdDoesAcrossTheUnsignedRange() {
    assertThat(EtcdIds.toHex(0x8e9e05c52164694dL)).isEqualTo("8e9e05c52164694d");
    assertThat(EtcdIds.toHex(0x2d9d8293c780c04L)).isEqualTo("2d9d8293c780c04");
    assertThat(EtcdIds.parseHex("8e9e05c52164694d")).isEqualTo(0x8e9e05c52164694dL);
    assertThat(EtcdIds.parseHex(EtcdIds.toHex(-1L))).isEqualTo(-1L);
    assertThatThrownBy(() -> EtcdIds.parseHex("main-0")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void unstartedMemberHasNoNameAndPrintsHexIds() {
    EtcdMember unstarted = new EtcdMember(0xabcL, "", List.of(URI.create("http://10.0.0.1:2380")), List.of(), true);
    assertThat(unstarted.started()).isFalse();
    assertThat(unstarted.toString()).contains("id=abc").contains("<unstarted>");
    assertThat(new EtcdMember(1, "main-0", List.of(), List.of(), false).started()).isTrue();
  }

  @Test
  void leaderIsWhoTheHealthyMembersAgreeOn() {
    ClusterObservation agreed = observation(
        MemberProbe.healthy(A, status(A, 1, 1)),
        MemberProbe.healthy(B, status(B, 2, 1)));
    assertThat(agreed.leaderId()).contains(1L);
    assertThat(agreed.probes().get(A).status().orElseThrow().isLeader()).isTrue();
    assertThat(agreed.probes().get(B).status().orElseThrow().isLeader()).isFalse();

    ClusterObservation unhealthyIgnored = observation(
        MemberProbe.healthy(A, status(A, 1, 1)),
        MemberProbe.unhealthy(B, Optional.of(status(B, 2, 2)), "linearizable read: no answer within 2s"));
    assertThat(unhealthyIgnored.leaderId()).contains(1L);
    assertThat(unhealthyIgnored.healthyCount()).isEqualTo(1);

    ClusterObservation electing = observation(
        MemberProbe.healthy(A, status(A, 1, 1)),
        MemberProbe.healthy(B, status(B, 2, 2)));
    assertThat(electing.leaderId()).isEmpty();

    ClusterObservation noLeader = observation(MemberProbe.unhealthy(A, Optional.of(status(A, 1, 0)), "no leader"));
    assertThat(noLeader.leaderId()).isEmpty();
  }

  @Test
  void probesKeepTheCallersEndpointOrder() {
    ClusterObservation observation = observation(
        MemberProbe.unhealthy(B, Optional.empty(), "down"), MemberProbe.healthy(A, status(A, 1, 1)));
    assertThat(observation.probes().keySet()).containsExactly(B, A);
  }

  @Test
  void unhealthyProbeMustSayWhy() {
    assertThatThrownBy(() -> new MemberProbe(A, Optional.empty(), false, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusedConnectionIsUnavailableWithOneReadableLine() {
    Throwable grpc = Status.UNAVAILABLE.withDescription("io exception")
        .withCause(new ConnectException("Connection refused: /127.0.0.10:2379")).asRuntimeException();
    // jetcd converts the gRPC exception into its own EtcdException and drops the gRPC one.
    Throwable jetcd = new ExecutionException(EtcdExceptionFactory.toEtcdException(grpc));

    EtcdClientException e = Failures.translate(jetcd, "member list", List.of(A, B), TIMEOUT);

    assertThat(e).isInstanceOf(EtcdUnavailableException.class).hasNoCause();
    assertThat(e.getMessage()).isEqualTo("etcd at [http://127.0.0.10:2379, http://127.0.0.11:2379] did not "
        + "answer member list: UNAVAILABLE: io exception (Connection refused: /127.0.0.10:2379)");
    assertThat(e.endpoints()).containsExactly(A, B);
  }

  @Test
  void deadlineIsReportedAsTheConfiguredTimeout() {
    Throwable grpc = Status.DEADLINE_EXCEEDED
        .withDescription("deadline exceeded after 1.999s. [closed=[], open=[[buffered_nanos=1]]]")
        .asRuntimeException();

    assertThat(Failures.translate(grpc, "status", List.of(A), TIMEOUT))
        .isInstanceOf(EtcdUnavailableException.class)
        .hasMessage("etcd at http://127.0.0.10:2379 did not answer status: no answer within 2s");
  }

  @Test
  void etcdRejectingARequestIsNotUnavailability() {
    Throwable grpc = Status.INVALID_ARGUMENT.withDescription("etcdserver: request is too large")
        .asRuntimeException();

    EtcdClientException e = Failures.translate(EtcdExceptionFactory.toEtcdException(grpc), "put of 'k'",
        List.of(A), TIMEOUT);

    assertThat(e).isNotInstanceOf(EtcdUnavailableException.class);
    assertThat(e.getMessage()).isEqualTo(
        "etcd at http://127.0.0.10:2379 rejected put of 'k': "
            + "INVALID_ARGUMENT: etcdserver: request is too large");
  }

  @Test
  void awaitGivesUpAtTheDeadline() {
    CompletableFuture<String> never = new CompletableFuture<>();
    long start = System.nanoTime();

    assertThatThrownBy(() -> Failures.await(never, System.nanoTime() + 50_000_000L, "get", List.of(A),
        Duration.ofMillis(50)))
        .isInstanceOf(EtcdUnavailableException.class)
        .hasMessage("etcd at http://127.0.0.10:2379 did not answer get: no answer within 50ms");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(never).isCancelled();
  }

  @Test
  void probeSummaryGroupsCallsThatFailedTheSameWay() {
    Map<String, String> failures = new LinkedHashMap<>();
    failures.put("member list", "UNAVAILABLE: io exception (Connection refused)");
    failures.put("status", "UNAVAILABLE: io exception (Connection refused)");
    failures.put("linearizable read", "no answer within 2s");

    assertThat(EndpointProbe.summarize(failures)).isEqualTo(
        "member list, status: UNAVAILABLE: io exception (Connection refused); linearizable read: no answer "
            + "within 2s");
  }

  private static MemberStatus status(URI endpoint, long memberId, long leaderId) {
    return new MemberStatus(endpoint, memberId, "3.4.23", 20480, 16384, leaderId, 10, 2, List.of());
  }

  private static ClusterObservation observation(MemberProbe... probes) {
    Map<URI, MemberProbe> byEndpoint = new LinkedHashMap<>();
    for (MemberProbe p : probes) {
      byEndpoint.put(p.endpoint(), p);
    }
    return new ClusterObservation(7, List.of(), byEndpoint, List.of());
  }
}
