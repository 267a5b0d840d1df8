package dev.etcdoperator.etcd;

import static dev.etcdoperator.pki.TlsFixtures.httpGetVersion;
import static dev.etcdoperator.pki.TlsFixtures.servedCertificate;
import static dev.etcdoperator.pki.TlsFixtures.sslContext;
import static dev.etcdoperator.pki.TlsFixtures.sslContextPresenting;
import static dev.etcdoperator.pki.TlsFixtures.writeAtomically;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.pki.CertificateAuthority;
import dev.etcdoperator.pki.EtcdCertificateSet;
import dev.etcdoperator.pki.ExtendedUsage;
import dev.etcdoperator.pki.IssuedCertificate;
import dev.etcdoperator.pki.KeyAlgorithm;
import dev.etcdoperator.pki.LeafRequest;
import dev.etcdoperator.pki.TlsMemberFiles;
import dev.etcdoperator.testing.EtcdProcessCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Three real etcd 3.4 members with client and peer TLS and client-certificate authentication on both, every
 * certificate issued by our pki package: what is accepted, what is refused, and that renewed leaves are served
 * without a restart.
 */
class EtcdTlsClusterTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final int CLIENT_PORT = 2379;
  private static final int PEER_PORT = 2380;
  private static final Clock CLOCK = Clock.systemUTC(); // etcd checks validity against the real time

  private static Path dir;
  private static EtcdCertificateSet set;
  private static CertificateAuthority ca;
  private static TlsMemberFiles members;
  private static EtcdProcessCluster etcd;
  private static EtcdClient client;

  @BeforeAll
  static void start(@TempDir Path tempDir) {
    dir = tempDir;
    set = new EtcdCertificateSet("main", "ns", "cluster.local", KeyAlgorithm.ECDSA_P256, Duration.ofDays(30),
        Duration.ofDays(1));
    ca = CertificateAuthority.create(set.caCommonName(), KeyAlgorithm.ECDSA_P256, set.caValidity(), CLOCK);
    members = new TlsMemberFiles(dir.resolve("pki"), ca.certificatePem(), set, ca::issue);
    etcd = members.configure(EtcdProcessCluster.builder(dir.resolve("etcd")).members(3).namePrefix("main"))
        .start();
    client = EtcdClient.connect(EtcdConnection.withTls(etcd.clientUrls(), TIMEOUT,
        tls(members.client("operator", ca.certificatePem(), ca.issue(set.operatorClient())))));
    // The first gRPC call of a fresh JVM spends over a second loading classes (more with TLS); not in a test.
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
        .until(() -> etcd.clientUrls().stream().allMatch(client::isHealthy));
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {client, etcd}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception ignored) {
          // keep closing the rest
        }
      }
    }
  }

  @Test
  void clusterIsHealthyThroughMutualTls() {
    ClusterObservation observation = client.observe(etcd.clientUrls());

    assertThat(observation.healthyCount()).isEqualTo(3);
    assertThat(observation.members()).extracting(EtcdMember::name)
        .containsExactlyInAnyOrder("main-0", "main-1", "main-2");
    assertThat(observation.members()).allSatisfy(m -> {
      assertThat(m.peerUrls()).allMatch(u -> u.getScheme().equals("https"));
      assertThat(m.clientUrls()).allMatch(u -> u.getScheme().equals("https"));
    });
    assertThat(observation.leaderId()).isPresent();
    String key = "tls-" + UUID.randomUUID();
    client.put(key, "over mTLS");
    assertThat(client.get(key)).contains("over mTLS");
  }

  @Test
  void aClientWithoutCertificateIsRefused() throws IOException {
    String host = etcd.host(0);
    SSLContext withCertificate = sslContext(ca.certificatePem(), Optional.of(ca.issue(set.client("probe"))));
    SSLContext withoutCertificate = sslContext(ca.certificatePem(), Optional.empty());

    // The control: the same request with a certificate is answered, so a refusal below is about the certificate.
    assertThat(httpGetVersion(withCertificate, host, CLIENT_PORT)).contains("200 OK").contains("etcdserver");
    long mark = logMark(0);
    // Under TLS 1.3 the client finishes its half of the handshake first, so the refusal surfaces as an alert or
    // as a closed connection; etcd's log says why.
    assertThatThrownBy(() -> httpGetVersion(withoutCertificate, host, CLIENT_PORT))
        .isInstanceOf(IOException.class);
    awaitLog(0, mark, "tls: client didn't provide a certificate");
  }

  /**
   * etcd refuses a certificate of another CA. The Java client never even sends it: the JDK's key manager (and so
   * Netty's) offers only certificates whose issuer is in the server's list of acceptable CAs, so jetcd connects
   * without a certificate; the raw check forces the certificate onto the wire to see etcd's own verdict.
   */
  @Test
  void aClientCertificateFromAnotherCaIsRefused() throws IOException {
    CertificateAuthority otherCa = CertificateAuthority.create("other-ca", KeyAlgorithm.ECDSA_P256,
        Duration.ofDays(1), CLOCK);
    IssuedCertificate foreign = otherCa.issue(set.operatorClient());

    try (EtcdClient intruder = EtcdClient.connect(EtcdConnection.withTls(List.of(etcd.clientUrl(0)), TIMEOUT,
        tls(members.client("foreign", ca.certificatePem(), foreign))))) {
      assertThatThrownBy(() -> intruder.get("any"))
          .isInstanceOf(EtcdUnavailableException.class)
          .hasMessageContaining("bad_certificate");
    }
    long mark = logMark(2);
    assertThatThrownBy(() -> httpGetVersion(sslContextPresenting(ca.certificatePem(), foreign), etcd.host(2),
        CLIENT_PORT)).isInstanceOf(IOException.class);
    awaitLog(2, mark, "failed to verify client certificate: x509: certificate signed by unknown authority");
  }

  @Test
  void aCertificateWithoutClientAuthIsRefusedAsClient() throws IOException {
    IssuedCertificate serverOnly = ca.issue(new LeafRequest("server-only", List.of("localhost"), List.of(),
        Set.of(ExtendedUsage.SERVER_AUTH), KeyAlgorithm.ECDSA_P256, Duration.ofDays(1)));

    long mark = logMark(1);
    assertThatThrownBy(() -> httpGetVersion(sslContextPresenting(ca.certificatePem(), serverOnly), etcd.host(1),
        CLIENT_PORT)).isInstanceOf(IOException.class);
    awaitLog(1, mark, "x509: certificate specifies an incompatible key usage");
  }

  @Test
  void onlyPeerCertificatesAreAcceptedOnThePeerPort() throws IOException {
    IssuedCertificate application = ca.issue(set.client("app"));

    assertThat(httpGetVersion(sslContextPresenting(ca.certificatePem(), ca.issue(set.peer())), etcd.host(0),
        PEER_PORT)).as("a peer certificate (CN main-peer)").contains("200 OK");
    long mark = logMark(0);
    assertThatThrownBy(() -> httpGetVersion(sslContextPresenting(ca.certificatePem(), application),
        etcd.host(0), PEER_PORT)).isInstanceOf(IOException.class);
    awaitLog(0, mark, "client certificate authentication failed");
  }

  /** jetcd checks the member's certificate against the address it dials, so certificates must name it. */
  @Test
  void jetcdRefusesAServerCertificateThatDoesNotNameTheDialledAddress() throws IOException {
    IssuedCertificate withoutMemberAddress = ca.issue(set.server()); // 127.0.0.1 and DNS names only
    IssuedCertificate proper = members.issueServer(etcd.host(0));
    SSLContext probe = sslContext(ca.certificatePem(), Optional.of(ca.issue(set.client("probe"))));
    members.install(0, "server", withoutMemberAddress);
    try {
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(servedCertificate(probe, etcd.host(0), CLIENT_PORT).getSerialNumber().toString(16))
              .isEqualTo(withoutMemberAddress.serial()));
      long mark = logMark(0);
      try (EtcdClient fresh = EtcdClient.connect(EtcdConnection.withTls(List.of(etcd.clientUrl(0)), TIMEOUT,
          tls(members.client("fresh", ca.certificatePem(), ca.issue(set.operatorClient())))))) {
        assertThatThrownBy(() -> fresh.get("any")).isInstanceOf(EtcdUnavailableException.class);
        awaitLog(0, mark, "remote error: tls: unknown certificate");
      }
    } finally {
      members.install(0, "server", proper);
    }
    try (EtcdClient fresh = EtcdClient.connect(EtcdConnection.withTls(List.of(etcd.clientUrl(0)), TIMEOUT,
        tls(members.client("fresh", ca.certificatePem(), ca.issue(set.operatorClient())))))) {
      await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> fresh.get("any").isEmpty());
    }
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void clientCertificatesOfEveryKeyAlgorithmWorkWithJetcd(KeyAlgorithm algorithm) {
    IssuedCertificate issued = ca.issue(set.client("app-" + algorithm.name().toLowerCase())
        .withKeyAlgorithm(algorithm));

    try (EtcdClient app = EtcdClient.connect(EtcdConnection.withTls(etcd.clientUrls(), TIMEOUT,
        tls(members.client("app-" + algorithm, ca.certificatePem(), issued))))) {
      String key = "alg-" + algorithm;
      await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> app.put(key, algorithm.name()));
      assertThat(app.get(key)).contains(algorithm.name());
    }
  }

  @Test
  void aRenewedServerCertificateIsServedToNewConnectionsWithoutRestart() throws IOException {
    SSLContext context = sslContext(ca.certificatePem(), Optional.of(ca.issue(set.client("probe"))));
    String before = servedCertificate(context, etcd.host(1), CLIENT_PORT).getSerialNumber().toString(16);
    IssuedCertificate renewed = members.issueServer(etcd.host(1));
    assertThat(renewed.serial()).isNotEqualTo(before);

    members.install(1, "server", renewed);

    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
        assertThat(servedCertificate(context, etcd.host(1), CLIENT_PORT).getSerialNumber().toString(16))
            .isEqualTo(renewed.serial()));
    assertThat(etcd.isRunning(1)).isTrue();
    assertThat(client.isHealthy(etcd.clientUrl(1))).as("jetcd connections keep working").isTrue();
  }

  @Test
  void aRenewedPeerCertificateIsServedToNewConnectionsWithoutRestart() throws IOException {
    SSLContext context = sslContext(ca.certificatePem(), Optional.of(ca.issue(set.client("probe"))));
    String before = servedCertificate(context, etcd.host(2), PEER_PORT).getSerialNumber().toString(16);
    IssuedCertificate renewed = members.issuePeer(etcd.host(2));
    assertThat(renewed.serial()).isNotEqualTo(before);

    members.install(2, "peer", renewed);

    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
        assertThat(servedCertificate(context, etcd.host(2), PEER_PORT).getSerialNumber().toString(16))
            .isEqualTo(renewed.serial()));
    assertThat(client.observe(etcd.clientUrls()).healthyCount()).isEqualTo(3);
  }

  /** Where a member's log ends now, so a later check reads only what the test itself caused. */
  private static long logMark(int ordinal) throws IOException {
    return Files.size(etcd.logFile(ordinal));
  }

  /** Waits until the member has logged {@code text} after {@code mark}: etcd's own account of a refusal. */
  private static void awaitLog(int ordinal, long mark, String text) {
    await("member " + ordinal + " logs '" + text + "'").atMost(Duration.ofSeconds(5)).until(() -> {
      String log = Files.readString(etcd.logFile(ordinal));
      return log.substring((int) Math.min(mark, log.length())).contains(text);
    });
  }

  static EtcdTls tls(TlsMemberFiles.ClientFiles files) {
    return new EtcdTls(files.ca(), files.certificate(), files.key());
  }
}
