package dev.etcdoperator.pki;

import static dev.etcdoperator.pki.TlsFixtures.NOW;
import static dev.etcdoperator.pki.TlsFixtures.clockAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PemBundleTest {

  private static CertificateAuthority oldCa;
  private static CertificateAuthority newCa;

  @BeforeAll
  static void createCas() {
    oldCa = CertificateAuthority.create("old-ca", KeyAlgorithm.ECDSA_P256, Duration.ofDays(100), clockAt(NOW));
    newCa = CertificateAuthority.create("new-ca", KeyAlgorithm.ECDSA_P256, Duration.ofDays(100), clockAt(NOW));
  }

  @Test
  void concatenatesInOrderAndTheJdkReadsEveryCertificate() {
    PemBundle bundle = PemBundle.of(oldCa.certificatePem(), newCa.certificatePem());

    assertThat(bundle.size()).isEqualTo(2);
    assertThat(bundle.pem()).isEqualTo(oldCa.certificatePem() + newCa.certificatePem());
    assertThat(TlsFixtures.x509All(bundle.pem())).extracting(c -> c.getSubjectX500Principal().getName())
        .containsExactly("CN=old-ca", "CN=new-ca");
    assertThat(bundle.certificates()).extracting(CertificateInfo::subjectCommonName)
        .containsExactly("old-ca", "new-ca");
  }

  @Test
  void dropsDuplicatesWhereverTheyAppear() {
    PemBundle bundle = PemBundle.of(oldCa.certificatePem(), oldCa.certificatePem() + newCa.certificatePem());

    assertThat(bundle.size()).isEqualTo(2);
    assertThat(PemBundle.parse(bundle.pem() + "\n" + bundle.pem())).isEqualTo(bundle);
    assertThat(bundle.plus(newCa.certificatePem())).isEqualTo(bundle);
  }

  @Test
  void supportsTheRotationSteps() {
    PemBundle before = PemBundle.parse(oldCa.certificatePem());

    PemBundle trustBoth = before.plus(newCa.certificatePem());
    assertThat(trustBoth.contains(oldCa.certificatePem())).isTrue();
    assertThat(trustBoth.contains(newCa.certificatePem())).isTrue();
    assertThat(before.contains(newCa.certificatePem())).isFalse();

    PemBundle after = trustBoth.without(oldCa.certificatePem());
    assertThat(after.certificatePems()).containsExactly(newCa.certificatePem());
    assertThat(after.contains(oldCa.certificatePem())).isFalse();
    assertThatThrownBy(() -> after.without(newCa.certificatePem()))
        .hasMessageContaining("at least one certificate");
  }

  @Test
  void orderIsPartOfEquality() {
    assertThat(PemBundle.of(oldCa.certificatePem(), newCa.certificatePem()))
        .isNotEqualTo(PemBundle.of(newCa.certificatePem(), oldCa.certificatePem()))
        .hasSameHashCodeAs(PemBundle.of(oldCa.certificatePem(), newCa.certificatePem()));
  }

  @Test
  void acceptsOnlyCertificates() {
    assertThatThrownBy(() -> PemBundle.parse(oldCa.certificatePem() + oldCa.privateKeyPem()))
        .isInstanceOf(PemFormatException.class)
        .hasMessage("expected only CERTIFICATE blocks but found a private key");
    assertThatThrownBy(() -> PemBundle.parse(" ")).isInstanceOf(PemFormatException.class);
    assertThat(PemBundle.of(oldCa.certificatePem()).toString()).contains("CN=old-ca");
  }
}
