package dev.etcdoperator.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.testing.EtcdProcessCluster;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The facade when members are down, paused (SIGSTOP) or cut off from quorum. Every test heals the shared
 * three-member cluster afterwards.
 *
 * <p>Elapsed-time assertions are correctness bounds ("does not hang"), not benchmarks: 3x the request timeout.
 */
class EtcdClientFaultTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(1);
  // A bound on hanging, not a speed goal: without deadlines these calls would never return. Generous, so a busy
  // 2-core CI machine does not fail it.
  private static final Duration HANG_BOUND = TIMEOUT.multipliedBy(5);

  private static EtcdProcessCluster etcd;
  private static EtcdClient client;

  @BeforeAll
  static void start(@TempDir Path tempDir) {
    etcd = EtcdProcessCluster.builder(tempDir).members(3).namePrefix("main").start();
    client = EtcdClient.connect(EtcdConnection.plain(etcd.clientUrls(), TIMEOUT));
    awaitAllHealthy();
  }

  @AfterEach
  void heal() {
    etcd.heal();
    awaitAllHealthy();
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  @Test
  void deadMemberIsUnhealthyAndObservedWithAnError() {
    URI dead = etcd.clientUrl(2);
    etcd.kill(2);

    assertThat(within(HANG_BOUND, () -> client.isHealthy(dead))).isFalse();
    // Survivors answer linearizable reads again once they agree on a leader (an election if main-2 led).
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(client.isHealthy(etcd.clientUrl(0))).isTrue();
      assertThat(client.isHealthy(etcd.clientUrl(1))).isTrue();
    });

    long deadId = client.listMembers().byName("main-2").orElseThrow().id();
    // If the dead member was the leader, the survivors need an election before they agree on a new one.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      ClusterObservation observation = within(HANG_BOUND, () -> client.observe(etcd.clientUrls()));

      assertThat(observation.members()).extracting(EtcdMember::name)
          .containsExactlyInAnyOrder("main-0", "main-1", "main-2");
      assertThat(observation.probes().get(etcd.clientUrl(0)).healthy()).isTrue();
      assertThat(observation.probes().get(etcd.clientUrl(1)).healthy()).isTrue();
      MemberProbe deadProbe = observation.probes().get(dead);
      assertThat(deadProbe.healthy()).isFalse();
      assertThat(deadProbe.status()).isEmpty();
      assertThat(deadProbe.error()).hasValueSatisfying(e -> assertThat(e).containsIgnoringCase("refused"));
      assertThat(observation.healthyCount()).isEqualTo(2);
      assertThat(observation.leaderId()).isPresent().get().isNotEqualTo(deadId);
    });

    Throwable statusFailure = thrownWithin(HANG_BOUND, () -> client.status(dead));
    assertThat(statusFailure).isInstanceOf(EtcdUnavailableException.class)
        .hasMessageContaining(dead.toString())
        .hasMessageNotContaining("Exception:");
    // Two of three is a quorum: writes and linearizable reads still work.
    client.put("after-kill", "ok");
    assertThat(client.get("after-kill")).contains("ok");
  }

  @Test
  void pausedMemberIsUnhealthyWithinTheTimeout() {
    URI paused = etcd.clientUrl(1);
    etcd.pause(1);

    assertThat(within(HANG_BOUND, () -> client.isHealthy(paused))).isFalse();
    Throwable statusFailure = thrownWithin(HANG_BOUND, () -> client.status(paused));
    assertThat(statusFailure).isInstanceOf(EtcdUnavailableException.class)
        .hasMessageContaining(paused.toString())
        .hasMessageContaining("no answer within 1s");

    // The other two keep (or re-elect) a leader and stay healthy.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      ClusterObservation observation = within(HANG_BOUND, () -> client.observe(etcd.clientUrls()));

      assertThat(observation.probes().get(etcd.clientUrl(0)).healthy()).isTrue();
      assertThat(observation.probes().get(etcd.clientUrl(2)).healthy()).isTrue();
      MemberProbe pausedProbe = observation.probes().get(paused);
      assertThat(pausedProbe.healthy()).isFalse();
      assertThat(pausedProbe.error()).hasValueSatisfying(e -> assertThat(e).contains("no answer within 1s"));
      assertThat(observation.leaderId()).isPresent();
    });
  }

  @Test
  void memberWithoutQuorumIsUnhealthyButStillObserved() {
    etcd.kill(2);
    etcd.pause(1);
    URI alone = etcd.clientUrl(0);

    // Member 0 is up and answers status, but cannot serve a linearizable read without quorum.
    assertThat(within(HANG_BOUND, () -> client.isHealthy(alone))).isFalse();
    assertThat(within(HANG_BOUND, () -> client.isHealthy(etcd.clientUrl(1)))).isFalse();

    ClusterObservation observation = within(HANG_BOUND, () -> client.observe(etcd.clientUrls()));
    assertThat(observation.members()).hasSize(3);
    assertThat(observation.healthyCount()).isZero();
    assertThat(observation.leaderId()).isEmpty();
    MemberProbe aloneProbe = observation.probes().get(alone);
    assertThat(aloneProbe.healthy()).isFalse();
    assertThat(aloneProbe.status()).isPresent();
    assertThat(aloneProbe.error()).isPresent();
    assertThat(observation.probes().get(etcd.clientUrl(1)).status()).isEmpty();
    assertThat(observation.probes().get(etcd.clientUrl(2)).status()).isEmpty();

    assertThat(thrownWithin(HANG_BOUND, () -> client.put("no-quorum", "x")))
        .isInstanceOf(EtcdUnavailableException.class);
  }

  @Test
  void clientWithOnlyDeadEndpointsFailsWithTheEndpointsInTheMessage() throws IOException {
    etcd.kill(2);
    URI dead = etcd.clientUrl(2);
    URI nothingListening = unusedLoopbackUrl();

    EtcdConnection onlyDead = EtcdConnection.plain(List.of(dead, nothingListening), TIMEOUT);
    try (EtcdClient deadClient = EtcdClient.connect(onlyDead)) {
      Throwable listFailure = thrownWithin(HANG_BOUND, deadClient::listMembers);
      assertThat(listFailure).isInstanceOf(EtcdUnavailableException.class)
          .hasMessageContaining(dead.toString())
          .hasMessageContaining(nothingListening.toString());
      assertThat(((EtcdUnavailableException) listFailure).endpoints()).containsExactly(dead, nothingListening);

      assertThat(thrownWithin(HANG_BOUND, () -> deadClient.get("k")))
          .isInstanceOf(EtcdUnavailableException.class);
      assertThat(thrownWithin(HANG_BOUND, () -> deadClient.put("k", "v")))
          .isInstanceOf(EtcdUnavailableException.class);
      assertThat(thrownWithin(HANG_BOUND, () -> deadClient.observe(List.of(dead, nothingListening))))
          .isInstanceOf(EtcdUnavailableException.class)
          .hasMessageContaining("no etcd endpoint answered the member list")
          .hasMessageContaining(dead.toString())
          .hasMessageContaining(nothingListening.toString());
    }
  }

  @Test
  void endpointThatAcceptsConnectionsButNeverAnswersTimesOut() throws IOException {
    // The kernel completes TCP handshakes into the backlog, but nothing ever speaks HTTP/2: a "hung" server.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      URI url = URI.create("http://127.0.0.1:" + silent.getLocalPort());
      try (EtcdClient silentClient = EtcdClient.connect(EtcdConnection.plain(List.of(url), TIMEOUT))) {
        assertThat(thrownWithin(HANG_BOUND, silentClient::listMembers))
            .isInstanceOf(EtcdUnavailableException.class)
            .hasMessageContaining(url.toString());
        assertThat(within(HANG_BOUND, () -> client.isHealthy(url))).isFalse();
        assertThat(thrownWithin(HANG_BOUND, () -> client.status(url)))
            .isInstanceOf(EtcdUnavailableException.class);
      }
    }
  }

  @Test
  void restartedMemberKeepsItsIdAndData() {
    client.put("survives-restart", "yes");
    long idBefore = client.status(etcd.clientUrl(0)).memberId();

    etcd.kill(0);
    etcd.restart(0);

    await().atMost(Duration.ofSeconds(15)).until(() -> client.isHealthy(etcd.clientUrl(0)));
    try (EtcdClient viaRestarted = EtcdClient.connect(EtcdConnection.plain(List.of(etcd.clientUrl(0)), TIMEOUT))) {
      assertThat(viaRestarted.get("survives-restart")).contains("yes");
      assertThat(viaRestarted.status(etcd.clientUrl(0)).memberId()).isEqualTo(idBefore);
    }
  }

  private static void awaitAllHealthy() {
    // Generous: the first gRPC call of a fresh JVM spends over a second loading classes.
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
        .until(() -> etcd.clientUrls().stream().allMatch(client::isHealthy));
  }

  private static <T> T within(Duration bound, Supplier<T> call) {
    long start = System.nanoTime();
    T result = call.get();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("elapsed").isLessThan(bound);
    return result;
  }

  private static Throwable thrownWithin(Duration bound, ThrowingCallable call) {
    long start = System.nanoTime();
    Throwable thrown = catchThrowable(call);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("elapsed").isLessThan(bound);
    assertThat(thrown).as("expected an exception").isNotNull();
    return thrown;
  }

  /** A loopback URL with nothing listening: connections are refused. */
  private static URI unusedLoopbackUrl() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return URI.create("http://127.0.0.1:" + s.getLocalPort());
    }
  }
}
