package dev.etcdoperator.pki;

import static dev.etcdoperator.pki.TlsFixtures.NOW;
import static dev.etcdoperator.pki.TlsFixtures.clockAt;
import static dev.etcdoperator.pki.TlsFixtures.x509;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The PEM we hand to etcd and to Netty: one CERTIFICATE block, and PKCS#8 keys the JDK reads unaided. */
class IssuedCertificateTest {

  private static CertificateAuthority ca;

  @BeforeAll
  static void createCa() {
    ca = CertificateAuthority.create("main-ca", KeyAlgorithm.ECDSA_P256, Duration.ofDays(100), clockAt(NOW));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.etcdoperator.pki.KeyAlgorithmTest#algorithms")
  void keyIsPkcs8PemThatTheJdkLoadsAndThatMatchesTheCertificate(KeyAlgorithm algorithm) throws Exception {
    IssuedCertificate issued = ca.issue(EtcdCertificateSet.withDefaults("main", "ns").client("app")
        .withKeyAlgorithm(algorithm));

    assertThat(issued.privateKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----\n")
        .endsWith("-----END PRIVATE KEY-----\n");
    String body = TlsFixtures.body(issued.privateKeyPem());
    PrivateKey key = KeyFactory.getInstance(algorithm.isRsa() ? "RSA" : "EC")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    CertificateAuthorityTest.assertKeyBelongsTo(key, x509(issued.certificatePem()));
  }

  @Test
  void certificateIsExactlyOnePemBlockAndMatchesTheRecord() {
    IssuedCertificate issued = ca.issue(EtcdCertificateSet.withDefaults("main", "ns").server());

    assertThat(issued.certificatePem()).startsWith("-----BEGIN CERTIFICATE-----\n")
        .endsWith("-----END CERTIFICATE-----\n");
    assertThat(TlsFixtures.x509All(issued.certificatePem())).hasSize(1);
    assertThat(issued.serial()).isEqualTo(x509(issued.certificatePem()).getSerialNumber().toString(16));
    assertThat(issued.notBefore()).isEqualTo(issued.info().notBefore());
    assertThat(issued.notAfter()).isEqualTo(issued.info().notAfter());
    assertThat(issued.info().serial()).isEqualTo(issued.serial());
  }

  @Test
  void toStringNeverContainsTheKey() {
    IssuedCertificate issued = ca.issue(EtcdCertificateSet.withDefaults("main", "ns").client("app"));

    assertThat(issued.toString()).contains(issued.serial()).contains("redacted").doesNotContain("PRIVATE KEY");
    for (String line : issued.privateKeyPem().lines().filter(l -> !l.startsWith("-----")).toList()) {
      assertThat(issued.toString()).doesNotContain(line);
    }
  }

  @Test
  void pkcs1AndSec1KeysAreConvertedToPkcs8() throws Exception {
    for (KeyAlgorithm algorithm : new KeyAlgorithm[] {KeyAlgorithm.RSA_2048, KeyAlgorithm.ECDSA_P256}) {
      IssuedCertificate issued = ca.issue(EtcdCertificateSet.withDefaults("main", "ns").client("app")
          .withKeyAlgorithm(algorithm));
      String jdkName = algorithm.isRsa() ? "RSA" : "EC";
      String traditional = TraditionalKeyPem.of(issued.privateKeyPem());
      assertThat(traditional).startsWith(algorithm.isRsa() ? "-----BEGIN RSA PRIVATE KEY-----"
          : "-----BEGIN EC PRIVATE KEY-----");

      String converted = PrivateKeyPem.toPkcs8(traditional);

      assertThat(converted).startsWith("-----BEGIN PRIVATE KEY-----");
      CertificateAuthorityTest.assertKeyBelongsTo(TlsFixtures.pkcs8(converted, jdkName),
          x509(issued.certificatePem()));
    }
  }

  @Test
  void conversionRejectsNonKeysWithoutQuotingThem() {
    String cert = ca.certificatePem();
    assertThatThrownBy(() -> PrivateKeyPem.toPkcs8(cert))
        .isInstanceOf(PemFormatException.class)
        .hasMessage("no PRIVATE KEY block found");
    String truncated = ca.privateKeyPem().substring(0, 60);
    assertThatThrownBy(() -> PrivateKeyPem.toPkcs8(truncated))
        .isInstanceOf(PemFormatException.class)
        .message().doesNotContain(TlsFixtures.body(truncated));
  }
}
