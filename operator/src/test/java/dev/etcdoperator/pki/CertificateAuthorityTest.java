package dev.etcdoperator.pki;

import static dev.etcdoperator.pki.TlsFixtures.NOW;
import static dev.etcdoperator.pki.TlsFixtures.clockAt;
import static dev.etcdoperator.pki.TlsFixtures.x509;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CertificateAuthorityTest {

  private static final Clock CLOCK = clockAt(NOW);
  private static final Duration CA_VALIDITY = Duration.ofDays(1000);
  private static final Map<KeyAlgorithm, CertificateAuthority> CAS = new EnumMap<>(KeyAlgorithm.class);

  @BeforeAll
  static void createOneCaPerAlgorithm() {
    for (KeyAlgorithm algorithm : KeyAlgorithm.values()) {
      CAS.put(algorithm, CertificateAuthority.create("main-ca", algorithm, CA_VALIDITY, CLOCK));
    }
  }

  static Stream<Arguments> caAndLeafAlgorithms() {
    return Arrays.stream(KeyAlgorithm.values())
        .flatMap(ca -> Arrays.stream(KeyAlgorithm.values()).map(leaf -> Arguments.of(ca, leaf)));
  }

  @ParameterizedTest(name = "CA {0}")
  @MethodSource("dev.etcdoperator.pki.KeyAlgorithmTest#algorithms")
  void caIsSelfSignedAndMayOnlySignLeaves(KeyAlgorithm algorithm) throws Exception {
    CertificateAuthority ca = CAS.get(algorithm);
    X509Certificate cert = x509(ca.certificatePem());

    cert.verify(cert.getPublicKey());
    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=main-ca");
    assertThat(cert.getIssuerX500Principal()).isEqualTo(cert.getSubjectX500Principal());
    assertThat(cert.getBasicConstraints()).as("CA:TRUE, pathLen 0").isZero();
    assertThat(cert.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15");
    boolean[] keyUsage = cert.getKeyUsage();
    assertThat(keyUsage[5]).as("keyCertSign").isTrue();
    assertThat(keyUsage[6]).as("cRLSign").isTrue();
    assertThat(keyUsage[0]).as("digitalSignature").isFalse();
    assertThat(cert.getExtensionValue("2.5.29.14")).as("subject key id").isNotNull();
    assertThat(cert.getSigAlgName()).isEqualTo(algorithm.isRsa() ? "SHA256withRSA" : "SHA256withECDSA");
    assertThat(KeyAlgorithm.of(cert.getPublicKey())).contains(algorithm);
    assertThat(ca.info().isCa()).isTrue();
  }

  @Test
  void caValidityFollowsTheClockWithBackdating() {
    X509Certificate cert = x509(CAS.get(KeyAlgorithm.ECDSA_P256).certificatePem());

    assertThat(cert.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(5)));
    assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plus(CA_VALIDITY));
  }

  @ParameterizedTest(name = "CA {0}, leaf {1}")
  @MethodSource("caAndLeafAlgorithms")
  void leavesChainToTheirCaForEveryAlgorithmPair(KeyAlgorithm caAlgorithm, KeyAlgorithm leafAlgorithm)
      throws Exception {
    CertificateAuthority ca = CAS.get(caAlgorithm);
    IssuedCertificate issued = ca.issue(serverRequest(leafAlgorithm));
    X509Certificate leaf = x509(issued.certificatePem());
    X509Certificate caCert = x509(ca.certificatePem());

    leaf.verify(caCert.getPublicKey());
    PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(caCert, null)));
    parameters.setRevocationEnabled(false);
    parameters.setDate(Date.from(NOW));
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), parameters);

    assertThat(leaf.getSigAlgName()).as("the CA key decides the signature")
        .isEqualTo(caAlgorithm.isRsa() ? "SHA256withRSA" : "SHA256withECDSA");
    assertThat(KeyAlgorithm.of(leaf.getPublicKey())).contains(leafAlgorithm);
    if (leafAlgorithm.isRsa()) {
      assertThat(((RSAPublicKey) leaf.getPublicKey()).getModulus().bitLength())
          .isEqualTo(Integer.parseInt(leafAlgorithm.apiName().substring(4)));
    } else {
      assertThat(((ECPublicKey) leaf.getPublicKey()).getParams().getCurve().getField().getFieldSize())
          .isEqualTo(256);
    }
    boolean[] keyUsage = leaf.getKeyUsage();
    assertThat(keyUsage[0]).as("digitalSignature").isTrue();
    assertThat(keyUsage[2]).as("keyEncipherment only for RSA keys").isEqualTo(leafAlgorithm.isRsa());
    assertThat(keyUsage[5]).as("keyCertSign").isFalse();
    assertThat(leaf.getBasicConstraints()).as("not a CA").isEqualTo(-1);
    assertKeyBelongsTo(TlsFixtures.pkcs8(issued.privateKeyPem(), leafAlgorithm.isRsa() ? "RSA" : "EC"), leaf);
  }

  @Test
  void authorityKeyIdIsTheCasSubjectKeyId() {
    CertificateAuthority ca = CAS.get(KeyAlgorithm.ECDSA_P256);
    X509Certificate caCert = x509(ca.certificatePem());
    X509Certificate leaf = x509(ca.issue(serverRequest(KeyAlgorithm.ECDSA_P256)).certificatePem());

    byte[] ski = keyIdentifier(caCert.getExtensionValue("2.5.29.14"));
    byte[] aki = leaf.getExtensionValue("2.5.29.35");
    // AKI = OCTET STRING { SEQUENCE { [0] keyIdentifier } }: the CA's SKI bytes come last, nothing follows them.
    assertThat(aki).isNotNull();
    assertThat(Arrays.copyOfRange(aki, aki.length - ski.length, aki.length)).isEqualTo(ski);
    assertThat(aki.length).as("key identifier only, no issuer name or serial").isEqualTo(ski.length + 6);
    assertThat(leaf.getExtensionValue("2.5.29.14")).as("leaf subject key id").isNotNull();
  }

  @Test
  void serialsArePositiveRandomAndAtMost128Bits() {
    CertificateAuthority ca = CAS.get(KeyAlgorithm.ECDSA_P256);
    Set<BigInteger> serials = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      IssuedCertificate issued = ca.issue(clientRequest("app-" + i));
      BigInteger serial = x509(issued.certificatePem()).getSerialNumber();
      assertThat(serial.signum()).isPositive();
      assertThat(serial.bitLength()).isLessThanOrEqualTo(128);
      assertThat(issued.serial()).isEqualTo(serial.toString(16));
      serials.add(serial);
    }
    assertThat(serials).hasSize(20);
    assertThat(serials).anyMatch(s -> s.bitLength() > 64);
  }

  @Test
  void leafValidityFollowsTheClockAndIsClippedToTheCa() {
    CertificateAuthority ca = CertificateAuthority.create("short-ca", KeyAlgorithm.ECDSA_P256,
        Duration.ofDays(30), CLOCK);
    IssuedCertificate fresh = ca.issue(clientRequest("app").withValidity(Duration.ofDays(10)));
    assertThat(fresh.notBefore()).isEqualTo(NOW.minus(CertificateAuthority.BACKDATE));
    assertThat(fresh.notAfter()).isEqualTo(NOW.plus(Duration.ofDays(10)));
    assertThat(x509(fresh.certificatePem()).getNotAfter().toInstant()).isEqualTo(fresh.notAfter());

    Instant later = NOW.plus(Duration.ofDays(25));
    CertificateAuthority sameCaLater = CertificateAuthority.fromPem(ca.certificatePem(), ca.privateKeyPem(),
        clockAt(later));
    IssuedCertificate clipped = sameCaLater.issue(clientRequest("app").withValidity(Duration.ofDays(10)));
    assertThat(clipped.notBefore()).isEqualTo(later.minus(CertificateAuthority.BACKDATE));
    assertThat(clipped.notAfter()).isEqualTo(ca.info().notAfter());
  }

  @Test
  void leafIsNeverBackdatedBeforeItsCa() {
    CertificateAuthority ca = CAS.get(KeyAlgorithm.ECDSA_P256);
    CertificateAuthority oneMinuteEarlier = CertificateAuthority.fromPem(ca.certificatePem(), ca.privateKeyPem(),
        clockAt(NOW.minus(Duration.ofMinutes(1))));

    assertThat(oneMinuteEarlier.issue(clientRequest("app")).notBefore())
        .as("now - 5 min would precede the CA").isEqualTo(ca.info().notBefore());
  }

  @Test
  void anExpiredCaRefusesToIssue() {
    CertificateAuthority ca = CAS.get(KeyAlgorithm.ECDSA_P256);
    Instant afterExpiry = ca.info().notAfter().plusSeconds(1);
    CertificateAuthority expired = CertificateAuthority.fromPem(ca.certificatePem(), ca.privateKeyPem(),
        clockAt(afterExpiry));

    assertThatThrownBy(() -> expired.issue(clientRequest("app")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("CN=main-ca")
        .hasMessageContaining(ca.info().notAfter().toString());
  }

  @ParameterizedTest(name = "CA {0}")
  @MethodSource("dev.etcdoperator.pki.KeyAlgorithmTest#algorithms")
  void aCaLoadedFromItsPemIssuesLeavesTheOriginalVerifies(KeyAlgorithm algorithm) throws Exception {
    CertificateAuthority original = CAS.get(algorithm);
    assertThat(original.privateKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----");

    CertificateAuthority loaded = CertificateAuthority.fromPem(original.certificatePem(),
        original.privateKeyPem(), CLOCK);

    assertThat(loaded.certificatePem()).isEqualTo(original.certificatePem());
    assertThat(loaded.info()).isEqualTo(original.info());
    x509(loaded.issue(clientRequest("app")).certificatePem()).verify(x509(original.certificatePem()).getPublicKey());
  }

  @Test
  void loadingRejectsAKeyOfAnotherCaWithoutPrintingIt() {
    CertificateAuthority ec = CAS.get(KeyAlgorithm.ECDSA_P256);
    CertificateAuthority otherEc = CertificateAuthority.create("other-ca", KeyAlgorithm.ECDSA_P256,
        CA_VALIDITY, CLOCK);
    CertificateAuthority rsa = CAS.get(KeyAlgorithm.RSA_2048);

    assertThatThrownBy(() -> CertificateAuthority.fromPem(ec.certificatePem(), otherEc.privateKeyPem(), CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not match")
        .message().doesNotContain(TlsFixtures.body(otherEc.privateKeyPem()));
    assertThatThrownBy(() -> CertificateAuthority.fromPem(ec.certificatePem(), rsa.privateKeyPem(), CLOCK))
        .hasMessageContaining("is an RSA key but the certificate holds an EC public key");
  }

  @Test
  void loadingRejectsALeafAsCa() {
    IssuedCertificate leaf = CAS.get(KeyAlgorithm.ECDSA_P256).issue(clientRequest("app"));

    assertThatThrownBy(() -> CertificateAuthority.fromPem(leaf.certificatePem(), leaf.privateKeyPem(), CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a CA");
  }

  @Test
  void loadingRejectsGarbageWithAPemFormatException() {
    CertificateAuthority ca = CAS.get(KeyAlgorithm.ECDSA_P256);

    assertThatThrownBy(() -> CertificateAuthority.fromPem("not pem", ca.privateKeyPem(), CLOCK))
        .isInstanceOf(PemFormatException.class);
    assertThatThrownBy(() -> CertificateAuthority.fromPem(ca.certificatePem(), ca.certificatePem(), CLOCK))
        .isInstanceOf(PemFormatException.class)
        .hasMessageContaining("no PRIVATE KEY block");
  }

  @Test
  void toStringNamesTheCaButNeverItsKey() {
    CertificateAuthority ca = CAS.get(KeyAlgorithm.RSA_2048);

    assertThat(ca.toString()).contains("CN=main-ca").doesNotContain("PRIVATE")
        .doesNotContain(TlsFixtures.body(ca.privateKeyPem()).substring(0, 40));
  }

  static LeafRequest serverRequest(KeyAlgorithm algorithm) {
    return EtcdCertificateSet.withDefaults("main", "ns").server().withKeyAlgorithm(algorithm)
        .withValidity(Duration.ofDays(90));
  }

  static LeafRequest clientRequest(String name) {
    return EtcdCertificateSet.withDefaults("main", "ns").client(name);
  }

  static void assertKeyBelongsTo(PrivateKey key, X509Certificate cert) throws Exception {
    String algorithm = "RSA".equals(key.getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(new byte[] {1, 2, 3});
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(cert.getPublicKey());
    verifier.update(new byte[] {1, 2, 3});
    assertThat(verifier.verify(signature)).as("private key belongs to the certificate").isTrue();
  }

  /** The SKI extension value is OCTET STRING { OCTET STRING keyId }: two 2-byte headers for 20-byte ids. */
  private static byte[] keyIdentifier(byte[] extensionValue) {
    return Arrays.copyOfRange(extensionValue, 4, extensionValue.length);
  }
}
