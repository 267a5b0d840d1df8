package dev.etcdoperator.pki;

import static dev.etcdoperator.pki.TlsFixtures.NOW;
import static dev.etcdoperator.pki.TlsFixtures.clockAt;
import static dev.etcdoperator.pki.TlsFixtures.x509;
import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What each kind of leaf says, checked on the issued certificate with the JDK's parser. */
class EtcdCertificateSetTest {

  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final EtcdCertificateSet SET = new EtcdCertificateSet("main", "db", "example.org",
      KeyAlgorithm.ECDSA_P256, Duration.ofDays(900), Duration.ofDays(200));
  private static CertificateAuthority ca;

  @BeforeAll
  static void createCa() {
    ca = CertificateAuthority.create(SET.caCommonName(), SET.keyAlgorithm(), SET.caValidity(), clockAt(NOW));
  }

  @Test
  void caIsNamedAfterTheCluster() {
    assertThat(SET.caCommonName()).isEqualTo("main-ca");
    assertThat(ca.info().subjectCommonName()).isEqualTo("main-ca");
  }

  @Test
  void serverCertificateCoversPeersClientServiceAndLoopbackForBothRoles() throws Exception {
    X509Certificate cert = x509(ca.issue(SET.server()).certificatePem());

    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=main");
    assertThat(sans(cert, 2)).containsExactly("*.main-peer.db.svc", "*.main-peer.db.svc.example.org", "main",
        "main.db", "main.db.svc", "main.db.svc.example.org", "localhost");
    assertThat(sans(cert, 7)).containsExactly("127.0.0.1");
    assertThat(cert.getExtendedKeyUsage()).containsExactlyInAnyOrder(SERVER_AUTH, CLIENT_AUTH);
    assertThat(cert.getKeyUsage()[0]).as("digitalSignature").isTrue();
    assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(200)));
  }

  @Test
  void peerCertificateCoversPeerWildcardsAndLoopbackForBothRoles() throws Exception {
    X509Certificate cert = x509(ca.issue(SET.peer()).certificatePem());

    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=main-peer");
    assertThat(sans(cert, 2)).containsExactly("*.main-peer.db.svc", "*.main-peer.db.svc.example.org", "localhost");
    assertThat(sans(cert, 7)).containsExactly("127.0.0.1");
    assertThat(cert.getExtendedKeyUsage()).containsExactlyInAnyOrder(SERVER_AUTH, CLIENT_AUTH);
  }

  @Test
  void operatorClientCertificateIsClientOnlyWithoutSans() throws Exception {
    X509Certificate cert = x509(ca.issue(SET.operatorClient()).certificatePem());

    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=etcd-operator");
    assertThat(cert.getSubjectAlternativeNames()).isNull();
    assertThat(cert.getExtendedKeyUsage()).containsExactly(CLIENT_AUTH);
  }

  @Test
  void applicationClientCertificateIsNamedAfterTheEntry() throws Exception {
    X509Certificate cert = x509(ca.issue(SET.client("billing")).certificatePem());

    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=billing");
    assertThat(cert.getSubjectAlternativeNames()).isNull();
    assertThat(cert.getExtendedKeyUsage()).containsExactly(CLIENT_AUTH);
  }

  @Test
  void memberNamesAreCoveredByTheWildcardsButNotTheBarePeerService() {
    IssuedCertificate server = ca.issue(SET.server());
    List<String> memberNames = List.of("main-2.main-peer.db.svc", "main-2.main-peer.db.svc.example.org",
        "main.db.svc", "127.0.0.1", "localhost");

    assertThat(CertificateCheck.problems(ca.certificatePem(), server.certificatePem(), server.privateKeyPem(),
        SET.server().usages(), memberNames, clockAt(NOW))).isEmpty();
    assertThat(CertificateCheck.problems(ca.certificatePem(), server.certificatePem(), server.privateKeyPem(),
        SET.server().usages(), List.of("main-peer.db.svc"), clockAt(NOW))).hasSize(1);
  }

  @Test
  void defaultsAreP256OneYearLeavesFiveYearCaInClusterLocal() {
    EtcdCertificateSet defaults = EtcdCertificateSet.withDefaults("main", "ns");

    assertThat(defaults.keyAlgorithm()).isEqualTo(KeyAlgorithm.ECDSA_P256);
    assertThat(defaults.leafValidity()).isEqualTo(Duration.ofDays(365));
    assertThat(defaults.caValidity()).isEqualTo(Duration.ofDays(5 * 365));
    assertThat(defaults.peerWildcards()).containsExactly("*.main-peer.ns.svc", "*.main-peer.ns.svc.cluster.local");
    assertThat(defaults.server().keyAlgorithm()).isEqualTo(KeyAlgorithm.ECDSA_P256);
    assertThat(defaults.client("app").validity()).isEqualTo(Duration.ofDays(365));
  }

  @Test
  void keyAlgorithmAppliesToEveryLeaf() {
    EtcdCertificateSet rsa = new EtcdCertificateSet("main", "ns", "cluster.local", KeyAlgorithm.RSA_3072,
        Duration.ofDays(10), Duration.ofDays(5));

    assertThat(List.of(rsa.server(), rsa.peer(), rsa.operatorClient(), rsa.client("a")))
        .allMatch(r -> r.keyAlgorithm() == KeyAlgorithm.RSA_3072 && r.validity().equals(Duration.ofDays(5)));
  }

  private static List<String> sans(X509Certificate cert, int type) throws Exception {
    Collection<List<?>> all = cert.getSubjectAlternativeNames();
    return all.stream().filter(san -> (Integer) san.get(0) == type).map(san -> (String) san.get(1))
        .collect(Collectors.toList());
  }
}
