package dev.etcdoperator.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.pki.CertificateAuthority;
import dev.etcdoperator.pki.EtcdCertificateSet;
import dev.etcdoperator.pki.ExtendedUsage;
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
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How etcd 3.4 judges the certificate a member dials its peers with. Two facts the reconciler depends on: the
 * receiving member checks the dialer's SANs against the dialer's address (IP SAN, or a DNS SAN that resolves to it,
 * wildcards via reverse DNS), and a member dials with whatever its peer certificate files hold at that moment.
 */
class EtcdTlsPeerIdentityTest {

  private static final Clock CLOCK = Clock.systemUTC();
  private static final EtcdCertificateSet SET = new EtcdCertificateSet("main", "ns", "cluster.local",
      KeyAlgorithm.ECDSA_P256, Duration.ofDays(30), Duration.ofDays(1));
  private static final Set<ExtendedUsage> BOTH = Set.of(ExtendedUsage.SERVER_AUTH, ExtendedUsage.CLIENT_AUTH);

  /**
   * On loopback members dial from 127.0.0.1 whatever address they listen on; a peer certificate naming only the
   * member's own address and the peer wildcards (which have no reverse DNS here) is refused, and the cluster never
   * forms. With 127.0.0.1 added (EtcdTlsClusterTest) it forms. In Kubernetes the pod IP must reverse-resolve to a
   * name under {@code *.<cluster>-peer.<ns>.svc.<domain>}.
   */
  @Test
  void aPeerCertificateThatDoesNotNameTheDialersAddressIsRefused(@TempDir Path dir) throws IOException {
    CertificateAuthority ca = CertificateAuthority.create(SET.caCommonName(), KeyAlgorithm.ECDSA_P256,
        SET.caValidity(), CLOCK);
    TlsMemberFiles files = new TlsMemberFiles(dir.resolve("pki"), ca.certificatePem(), SET, ca::issue)
        .peerRequest(host -> new LeafRequest(SET.peer().commonName(), SET.peerWildcards(), List.of(host), BOTH,
            KeyAlgorithm.ECDSA_P256, Duration.ofDays(1)));
    try (EtcdProcessCluster etcd = files.configure(EtcdProcessCluster.builder(dir.resolve("etcd")).members(3)
        .namePrefix("main").startTimeout(Duration.ofSeconds(4))).build()) {
      assertThatThrownBy(etcd::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("not healthy");

      assertThat(Files.readString(etcd.logFile(0)))
          .contains("rejected connection")
          .contains("\\\"127.0.0.1\\\" does not match any of DNSNames [\\\"*.main-peer.ns.svc\\\" "
              + "\\\"*.main-peer.ns.svc.cluster.local\\\"]");
    }
  }

  /**
   * Member 2 gets a peer certificate that is fine for serving but lacks clientAuth. Without any restart of member
   * 2, its next dial (forced by restarting member 1) presents that certificate and is refused: etcd re-reads the
   * peer certificate for outgoing connections too. So a renewed peer certificate takes effect at once, and a bad
   * one breaks peer traffic at once: check before installing.
   */
  @Test
  void membersDialPeersWithTheCertificateTheirFilesHoldNow(@TempDir Path dir) throws IOException {
    CertificateAuthority ca = CertificateAuthority.create(SET.caCommonName(), KeyAlgorithm.ECDSA_P256,
        SET.caValidity(), CLOCK);
    TlsMemberFiles files = new TlsMemberFiles(dir.resolve("pki"), ca.certificatePem(), SET, ca::issue);
    try (EtcdProcessCluster etcd = files.configure(EtcdProcessCluster.builder(dir.resolve("etcd")).members(3)
        .namePrefix("main")).start()) {
      long mark1 = Files.size(etcd.logFile(1));
      long mark2 = Files.size(etcd.logFile(2));
      files.install(2, "peer", ca.issue(new LeafRequest(SET.peer().commonName(), SET.peerWildcards(),
          List.of("127.0.0.1", etcd.host(2)), Set.of(ExtendedUsage.SERVER_AUTH), KeyAlgorithm.ECDSA_P256,
          Duration.ofDays(1))));

      etcd.restart(1);

      await("member 1 refuses member 2's new client certificate").atMost(Duration.ofSeconds(10))
          .until(() -> logSince(etcd, 1, mark1).contains(
              "failed to verify client certificate: x509: certificate specifies an incompatible key usage"));
      await("member 2 sees its dial refused").atMost(Duration.ofSeconds(10))
          .until(() -> logSince(etcd, 2, mark2).contains("remote error: tls: bad certificate"));
      assertThat(etcd.isRunning(2)).isTrue();
    }
  }

  private static String logSince(EtcdProcessCluster etcd, int ordinal, long mark) throws IOException {
    String log = Files.readString(etcd.logFile(ordinal));
    return log.substring((int) Math.min(mark, log.length()));
  }
}
