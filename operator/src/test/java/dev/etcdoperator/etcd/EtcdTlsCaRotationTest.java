package dev.etcdoperator.etcd;

import static dev.etcdoperator.pki.TlsFixtures.httpGetVersion;
import static dev.etcdoperator.pki.TlsFixtures.servedCertificate;
import static dev.etcdoperator.pki.TlsFixtures.sslContext;
import static dev.etcdoperator.pki.TlsFixtures.sslContextPresenting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.pki.CertificateAuthority;
import dev.etcdoperator.pki.EtcdCertificateSet;
import dev.etcdoperator.pki.IssuedCertificate;
import dev.etcdoperator.pki.KeyAlgorithm;
import dev.etcdoperator.pki.PemBundle;
import dev.etcdoperator.pki.TlsMemberFiles;
import dev.etcdoperator.testing.EtcdProcessCluster;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole CA rotation on three real members, with a client writing and reading throughout: trust both CAs
 * (rolling restart, because etcd reads its trusted-CA file only at startup), re-issue every leaf from the new CA in
 * place (no restart: etcd re-reads certificates per handshake and per dial), drop the old CA (rolling restart).
 * The new CA even uses another key algorithm, so members with ECDSA and RSA certificates talk to each other in the
 * middle phase.
 */
class EtcdTlsCaRotationTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final int CLIENT_PORT = 2379;
  private static final int PEER_PORT = 2380;
  private static final Duration OPERATION_DEADLINE = Duration.ofSeconds(10);
  private static final Clock CLOCK = Clock.systemUTC();

  @Test
  void theFullRotationKeepsServingReadsAndWrites(@TempDir Path dir) throws Exception {
    EtcdCertificateSet set = new EtcdCertificateSet("main", "ns", "cluster.local", KeyAlgorithm.ECDSA_P256,
        Duration.ofDays(30), Duration.ofDays(1));
    CertificateAuthority oldCa = CertificateAuthority.create("main-ca", KeyAlgorithm.ECDSA_P256,
        set.caValidity(), CLOCK);
    CertificateAuthority newCa = CertificateAuthority.create("main-ca-2", KeyAlgorithm.RSA_2048,
        set.caValidity(), CLOCK);
    String oldOnly = oldCa.certificatePem();
    String both = PemBundle.of(oldCa.certificatePem(), newCa.certificatePem()).pem();
    String newOnly = newCa.certificatePem();
    IssuedCertificate oldClient = oldCa.issue(set.operatorClient());
    IssuedCertificate newClient = newCa.issue(set.operatorClient().withKeyAlgorithm(KeyAlgorithm.RSA_2048));
    TlsMemberFiles files = new TlsMemberFiles(dir.resolve("pki"), oldOnly, set, oldCa::issue);

    try (EtcdProcessCluster etcd = files.configure(EtcdProcessCluster.builder(dir.resolve("etcd")).members(3)
        .namePrefix("main")).start();
        Traffic traffic = new Traffic(client(files, etcd, "phase-0", oldOnly, oldClient))) {
      traffic.awaitProgress("before rotation");
      traffic.phase("1 trust both, rolling restart");

      // 1. Trust both. Writing the file is not enough: a member trusts the new CA only after a restart.
      files.trust(both);
      assertRefused(sslContextPresenting(both, newClient), etcd.host(0), CLIENT_PORT);
      rollingRestart(etcd, traffic);
      for (int i = 0; i < 3; i++) {
        assertThat(httpGetVersion(sslContextPresenting(both, newClient), etcd.host(i), CLIENT_PORT))
            .contains("200 OK");
        assertThat(httpGetVersion(sslContextPresenting(both, oldClient), etcd.host(i), CLIENT_PORT))
            .contains("200 OK");
      }
      // The operator moves its own client to the new CA as soon as every member trusts it.
      traffic.use(client(files, etcd, "phase-1", both, newClient));
      traffic.awaitProgress("trusting both CAs");
      traffic.phase("2 leaves re-issued in place");

      // 2. Re-issue every leaf from the new CA, in place: served to new connections without a restart.
      files.issuer(request -> newCa.issue(request.withKeyAlgorithm(KeyAlgorithm.RSA_2048)));
      for (int i = 0; i < 3; i++) {
        files.install(i, "server", files.issueServer(etcd.host(i)));
        files.install(i, "peer", files.issuePeer(etcd.host(i)));
      }
      SSLContext probe = sslContext(both, Optional.of(newClient));
      for (int i = 0; i < 3; i++) {
        String host = etcd.host(i);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
          assertThat(servedIssuer(probe, host, CLIENT_PORT)).isEqualTo("CN=main-ca-2");
          assertThat(servedIssuer(sslContext(both, Optional.of(newCa.issue(set.peer()))), host, PEER_PORT))
              .isEqualTo("CN=main-ca-2");
        });
      }
      traffic.awaitProgress("leaves from the new CA");

      // 3. Drop the old CA.
      traffic.phase("3 drop old CA, rolling restart");
      files.trust(newOnly);
      rollingRestart(etcd, traffic);
      traffic.use(client(files, etcd, "phase-3", newOnly, newClient));
      traffic.phase("4 new CA only");
      traffic.awaitProgress("trusting only the new CA");
      for (int i = 0; i < 3; i++) {
        assertRefused(sslContextPresenting(both, oldClient), etcd.host(i), CLIENT_PORT);
      }

      traffic.stop();
      assertThat(traffic.failures()).as("operations that did not succeed within %s (traffic: %s)",
          OPERATION_DEADLINE, traffic.summary()).isEmpty();
      assertThat(traffic.completed()).allSatisfy((phase, count) -> assertThat(count).as(phase).isPositive());
      try (EtcdClient last = EtcdClient.connect(EtcdConnection.withTls(etcd.clientUrls(), TIMEOUT,
          EtcdTlsClusterTest.tls(files.client("last", newOnly, newClient))))) {
        assertThat(last.get(Traffic.KEY)).contains(Integer.toString(traffic.lastWritten()));
        assertThat(last.observe(etcd.clientUrls()).healthyCount()).isEqualTo(3);
      }
    }
  }

  /** Followers first, leader last (GUIDE section 5), each back to healthy before the next. */
  private static void rollingRestart(EtcdProcessCluster etcd, Traffic traffic) {
    ClusterObservation observation = traffic.client().observe(etcd.clientUrls());
    String leader = observation.leaderId().flatMap(observation::member).map(EtcdMember::name).orElse("");
    List<Integer> order = new ArrayList<>(IntStream.range(0, 3).boxed().toList());
    order.sort((a, b) -> Boolean.compare(etcd.memberName(a).equals(leader), etcd.memberName(b).equals(leader)));
    for (int ordinal : order) {
      etcd.restart(ordinal);
      etcd.awaitHealthy();
      traffic.awaitProgress("after restarting " + etcd.memberName(ordinal));
    }
  }

  private static EtcdClient client(TlsMemberFiles files, EtcdProcessCluster etcd, String name, String trust,
      IssuedCertificate certificate) {
    return EtcdClient.connect(EtcdConnection.withTls(etcd.clientUrls(), TIMEOUT,
        EtcdTlsClusterTest.tls(files.client(name, trust, certificate))));
  }

  private static String servedIssuer(SSLContext context, String host, int port) throws IOException {
    return servedCertificate(context, host, port).getIssuerX500Principal().getName();
  }

  private static void assertRefused(SSLContext context, String host, int port) {
    // TLS 1.3: a refused client certificate shows up as an alert or as a connection closed under the request.
    assertThatThrownBy(() -> httpGetVersion(context, host, port)).isInstanceOf(IOException.class);
  }

  /**
   * A client that writes an increasing counter and reads it back, without pause, from its own thread. An
   * operation that does not succeed within {@link #OPERATION_DEADLINE} is a failure of the rotation.
   */
  private static final class Traffic implements AutoCloseable {
    static final String KEY = "rotation-counter";

    private final AtomicReference<EtcdClient> client;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger written = new AtomicInteger();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> failedAttempts = new ConcurrentHashMap<>();
    private final AtomicLong longest = new AtomicLong();
    private final Map<String, Integer> completed = new ConcurrentHashMap<>();
    private volatile String phase = "0 old CA";
    private final Thread thread;

    Traffic(EtcdClient first) {
      this.client = new AtomicReference<>(first);
      this.thread = new Thread(this::run, "rotation-traffic");
      thread.setDaemon(true);
      thread.start();
    }

    EtcdClient client() {
      return client.get();
    }

    /** Switches to another client (new trust or certificate); the old one is closed. */
    void use(EtcdClient next) {
      EtcdClient previous = client.getAndSet(next);
      previous.close();
    }

    /** Names the rotation step that the following operations count towards. */
    void phase(String name) {
      phase = name;
    }

    void awaitProgress(String when) {
      int start = written.get();
      await("writes keep succeeding " + when).atMost(Duration.ofSeconds(15)).until(() -> written.get() > start + 5);
    }

    private void run() {
      int next = 1;
      while (running.get()) {
        int value = next;
        if (attempt(() -> {
          EtcdClient c = client.get();
          c.put(KEY, Integer.toString(value));
          if (!c.get(KEY).equals(Optional.of(Integer.toString(value)))) {
            throw new IllegalStateException("read back " + c.get(KEY) + " after writing " + value);
          }
        })) {
          written.set(value);
          completed.merge(phase, 1, Integer::sum);
        }
        next++;
      }
    }

    /**
     * Retries for up to {@link #OPERATION_DEADLINE}: a SIGKILLed member makes the client fail fast ("Connection
     * refused") until gRPC has moved to another member, and a leader restart costs an election.
     */
    private boolean attempt(Runnable operation) {
      long started = System.nanoTime();
      AtomicReference<RuntimeException> last = new AtomicReference<>();
      try {
        await().atMost(OPERATION_DEADLINE).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
            .until(() -> {
              try {
                operation.run();
                return true;
              } catch (RuntimeException e) {
                last.set(e);
                failedAttempts.merge(phase, 1, Integer::sum);
                return false;
              }
            });
        longest.accumulateAndGet((System.nanoTime() - started) / 1_000_000, Math::max);
        return true;
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        failures.add(phase + ": " + last.get());
        return false;
      }
    }

    /** Lets the operation in flight finish (so {@link #lastWritten} is what etcd holds), then stops. */
    void stop() throws InterruptedException {
      running.set(false);
      thread.join(OPERATION_DEADLINE.multipliedBy(2));
    }

    List<String> failures() {
      return failures;
    }

    /** For the test log: operations per phase, attempts that failed and were retried, the slowest operation. */
    String summary() {
      return "completed " + completed + ", failed attempts " + failedAttempts + ", longest operation "
          + longest.get() + " ms";
    }

    Map<String, Integer> completed() {
      return Map.copyOf(completed);
    }

    int lastWritten() {
      return written.get();
    }

    @Override
    public void close() throws InterruptedException {
      stop();
      client.get().close();
    }
  }
}
