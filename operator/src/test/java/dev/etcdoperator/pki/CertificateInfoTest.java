package dev.etcdoperator.pki;

import static dev.etcdoperator.pki.TlsFixtures.NOW;
import static dev.etcdoperator.pki.TlsFixtures.clockAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CertificateInfoTest {

  private static CertificateAuthority ca;

  @BeforeAll
  static void createCa() {
    ca = CertificateAuthority.create("main-ca", KeyAlgorithm.RSA_2048, Duration.ofDays(100), clockAt(NOW));
  }

  @Test
  void describesALeaf() {
    LeafRequest request = new LeafRequest("main", List.of("*.main-peer.ns.svc", "localhost"),
        List.of("127.0.0.1", "::1"), Set.of(ExtendedUsage.SERVER_AUTH), KeyAlgorithm.ECDSA_P256,
        Duration.ofDays(30));
    IssuedCertificate issued = ca.issue(request);

    CertificateInfo info = CertificateInfo.parse(issued.certificatePem());

    assertThat(info.subjectCommonName()).isEqualTo("main");
    assertThat(info.issuerCommonName()).isEqualTo("main-ca");
    assertThat(info.serial()).isEqualTo(issued.serial());
    assertThat(info.notBefore()).isEqualTo(NOW.minus(Duration.ofMinutes(5)));
    assertThat(info.notAfter()).isEqualTo(NOW.plus(Duration.ofDays(30)));
    assertThat(info.lifetime()).isEqualTo(Duration.ofDays(30).plusMinutes(5));
    assertThat(info.dnsNames()).containsExactly("*.main-peer.ns.svc", "localhost");
    assertThat(info.ipAddresses()).containsExactly("127.0.0.1", "0:0:0:0:0:0:0:1");
    assertThat(info.isCa()).isFalse();
    assertThat(info.extendedUsages()).containsExactly(ExtendedUsage.SERVER_AUTH);
    assertThat(info.keyAlgorithm()).contains(KeyAlgorithm.ECDSA_P256);
    assertThat(info.sha256Fingerprint()).hasSize(64).isNotEqualTo(ca.info().sha256Fingerprint());
    assertThat(info.isValidAt(NOW)).isTrue();
    assertThat(info.isValidAt(info.notAfter().plusSeconds(1))).isFalse();
    assertThat(info.isValidAt(info.notBefore().minusSeconds(1))).isFalse();
  }

  @Test
  void describesTheCaWhoseMissingEkuMeansAnyUsage() {
    CertificateInfo info = CertificateInfo.parse(ca.certificatePem());

    assertThat(info.isCa()).isTrue();
    assertThat(info.subjectCommonName()).isEqualTo(info.issuerCommonName()).isEqualTo("main-ca");
    assertThat(info.extendedUsages()).containsExactlyInAnyOrder(ExtendedUsage.values());
    assertThat(info.keyAlgorithm()).contains(KeyAlgorithm.RSA_2048);
    assertThat(info.dnsNames()).isEmpty();
  }

  @Test
  void parsesEveryCertificateOfAChainAndTheFirstByDefault() {
    IssuedCertificate leaf = ca.issue(EtcdCertificateSet.withDefaults("main", "ns").client("app"));
    String chain = leaf.certificatePem() + ca.certificatePem();

    assertThat(CertificateInfo.parseAll(chain)).extracting(CertificateInfo::subjectCommonName)
        .containsExactly("app", "main-ca");
    assertThat(CertificateInfo.parse(chain).subjectCommonName()).isEqualTo("app");
  }

  @Test
  void rejectsWhatIsNotACertificate() {
    assertThatThrownBy(() -> CertificateInfo.parse("")).isInstanceOf(PemFormatException.class)
        .hasMessageContaining("no PEM data");
    assertThatThrownBy(() -> CertificateInfo.parse("hello")).isInstanceOf(PemFormatException.class)
        .hasMessageContaining("no PEM block found");
    assertThatThrownBy(() -> CertificateInfo.parse(ca.privateKeyPem())).isInstanceOf(PemFormatException.class)
        .hasMessage("expected only CERTIFICATE blocks but found a private key");
    String corrupt = ca.certificatePem().replace("MII", "MIX");
    assertThatThrownBy(() -> CertificateInfo.parse(corrupt)).isInstanceOf(PemFormatException.class);
  }
}
