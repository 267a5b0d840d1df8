package dev.etcdoperator.pki;

import static dev.etcdoperator.pki.TlsFixtures.NOW;
import static dev.etcdoperator.pki.TlsFixtures.clockAt;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One test per kind of problem, each starting from a good set and breaking exactly one thing. */
class CertificateCheckTest {

  private static final Clock CLOCK = clockAt(NOW);
  private static final Set<ExtendedUsage> BOTH = Set.of(ExtendedUsage.SERVER_AUTH, ExtendedUsage.CLIENT_AUTH);
  private static final List<String> MEMBER_NAMES = List.of("main-0.main-peer.ns.svc",
      "main-2.main-peer.ns.svc.cluster.local", "main.ns.svc", "127.0.0.1");
  private static final EtcdCertificateSet SET = EtcdCertificateSet.withDefaults("main", "ns");

  private static CertificateAuthority ca;
  private static CertificateAuthority otherCa;
  private static IssuedCertificate server;

  @BeforeAll
  static void issue() {
    ca = CertificateAuthority.create("main-ca", KeyAlgorithm.ECDSA_P256, Duration.ofDays(1000), CLOCK);
    otherCa = CertificateAuthority.create("other-ca", KeyAlgorithm.ECDSA_P256, Duration.ofDays(1000), CLOCK);
    server = ca.issue(SET.server().withValidity(Duration.ofDays(90)));
  }

  @Test
  void aGoodSetHasNoProblems() {
    assertThat(check(ca.certificatePem(), server.certificatePem(), server.privateKeyPem(), BOTH, MEMBER_NAMES,
        CLOCK)).isEmpty();
  }

  @Test
  void aChainFromAnotherCaDoesNotVerify() {
    IssuedCertificate foreign = otherCa.issue(SET.server());

    assertThat(check(ca.certificatePem(), foreign.certificatePem(), foreign.privateKeyPem(), BOTH, MEMBER_NAMES,
        CLOCK)).singleElement().asString()
        .startsWith("the certificate in tls.crt (CN=main, serial " + foreign.serial() + "), issued by "
            + "CN=other-ca, does not verify against ca.crt (CN=main-ca): ");
  }

  @Test
  void aBundleOfOldAndNewCaVerifiesLeavesOfEither() {
    String bundle = PemBundle.of(ca.certificatePem(), otherCa.certificatePem()).pem();
    IssuedCertificate foreign = otherCa.issue(SET.server());

    assertThat(check(bundle, server.certificatePem(), server.privateKeyPem(), BOTH, MEMBER_NAMES, CLOCK))
        .isEmpty();
    assertThat(check(bundle, foreign.certificatePem(), foreign.privateKeyPem(), BOTH, MEMBER_NAMES, CLOCK))
        .isEmpty();
  }

  @Test
  void aChainFileEndingWithTheCaItselfIsFine() {
    assertThat(check(ca.certificatePem(), server.certificatePem() + ca.certificatePem(), server.privateKeyPem(),
        BOTH, MEMBER_NAMES, CLOCK)).isEmpty();
  }

  @Test
  void aKeyOfAnotherCertificateDoesNotMatch() {
    IssuedCertificate other = ca.issue(SET.server());

    assertThat(check(ca.certificatePem(), server.certificatePem(), other.privateKeyPem(), BOTH, MEMBER_NAMES,
        CLOCK)).containsExactly("tls.key does not match the certificate's public key (tls.crt: CN=main, serial "
            + server.serial() + ")");
  }

  @Test
  void aKeyOfAnotherTypeIsNamedAsSuch() {
    IssuedCertificate rsa = ca.issue(SET.server().withKeyAlgorithm(KeyAlgorithm.RSA_2048));

    assertThat(check(ca.certificatePem(), server.certificatePem(), rsa.privateKeyPem(), BOTH, MEMBER_NAMES,
        CLOCK)).singleElement().asString()
        .startsWith("tls.key is an RSA key but the certificate holds an EC public key");
  }

  @Test
  void missingUsagesAreNamed() {
    IssuedCertificate client = ca.issue(SET.client("app"));

    assertThat(check(ca.certificatePem(), client.certificatePem(), client.privateKeyPem(), BOTH, List.of(),
        CLOCK)).containsExactly("the certificate in tls.crt (CN=app, serial " + client.serial()
            + ") lacks the extended key usage serverAuth (it has clientAuth)");
    IssuedCertificate serverOnly = ca.issue(new LeafRequest("main", List.of("main.ns.svc"), List.of(),
        Set.of(ExtendedUsage.SERVER_AUTH), KeyAlgorithm.ECDSA_P256, Duration.ofDays(1)));
    assertThat(check(ca.certificatePem(), serverOnly.certificatePem(), serverOnly.privateKeyPem(), BOTH,
        List.of("main.ns.svc"), CLOCK)).singleElement().asString()
        .endsWith("lacks the extended key usage clientAuth (it has serverAuth)");
  }

  @Test
  void missingNamesAreListedAndWildcardsCoverOneLabel() {
    IssuedCertificate peer = ca.issue(SET.peer());

    assertThat(check(ca.certificatePem(), peer.certificatePem(), peer.privateKeyPem(), BOTH,
        List.of("main-0.main-peer.ns.svc", "main.ns.svc", "a.main-0.main-peer.ns.svc", "10.0.0.1"), CLOCK))
        .containsExactly("the certificate in tls.crt (CN=main-peer, serial " + peer.serial() + ") has no subject "
            + "alternative name for main.ns.svc, a.main-0.main-peer.ns.svc, 10.0.0.1 (its SANs: *.main-peer.ns.svc,"
            + " *.main-peer.ns.svc.cluster.local, localhost, 127.0.0.1)");
  }

  @Test
  void anExpiredCertificateIsReportedWithItsDateOnce() {
    Clock later = clockAt(server.notAfter().plus(Duration.ofDays(1)));

    assertThat(check(ca.certificatePem(), server.certificatePem(), server.privateKeyPem(), BOTH, MEMBER_NAMES,
        later)).containsExactly("the certificate in tls.crt (CN=main, serial " + server.serial() + ") expired at "
            + server.notAfter() + " (now " + later.instant() + ")");
  }

  @Test
  void aCertificateFromTheFutureIsReportedWithItsDate() {
    Clock earlier = clockAt(NOW.minus(Duration.ofHours(1)));

    assertThat(check(ca.certificatePem(), server.certificatePem(), server.privateKeyPem(), BOTH, MEMBER_NAMES,
        earlier)).containsExactly(
            "the certificate in tls.crt (CN=main, serial " + server.serial() + ") is not valid before "
                + server.notBefore() + " (now " + earlier.instant() + ")",
            "the CA in ca.crt that signed tls.crt (CN=main-ca, serial " + ca.info().serial() + ") is not valid "
                + "before " + ca.info().notBefore() + " (now " + earlier.instant() + ")");
  }

  @Test
  void unreadableOrMissingPemNamesTheSecretKey() {
    List<String> problems = check("garbage", "", server.privateKeyPem().substring(0, 50), BOTH, MEMBER_NAMES,
        CLOCK);

    assertThat(problems).hasSize(3);
    assertThat(problems.get(0)).startsWith("ca.crt is not a readable PEM certificate bundle: ");
    assertThat(problems.get(1)).isEqualTo("tls.crt is missing or empty");
    assertThat(problems.get(2)).startsWith("tls.key is not a readable PEM private key: ");
  }

  @Test
  void swappedCertificateAndKeyAreReportedWithoutQuotingTheKey() {
    List<String> problems = check(ca.certificatePem(), server.privateKeyPem(), server.certificatePem(), BOTH,
        MEMBER_NAMES, CLOCK);

    assertThat(problems).containsExactly(
        "tls.crt is not a readable PEM certificate: expected only CERTIFICATE blocks but found a private key",
        "tls.key is not a readable PEM private key: no PRIVATE KEY block found");
    String keyBody = TlsFixtures.body(server.privateKeyPem());
    assertThat(problems).allSatisfy(p -> assertThat(p).doesNotContain(keyBody.substring(0, 20)));
  }

  @Test
  void certManagersDefaultKeyEncodingsAreAccepted() throws Exception {
    String sec1 = TraditionalKeyPem.of(server.privateKeyPem());
    assertThat(sec1).startsWith("-----BEGIN EC PRIVATE KEY-----");
    IssuedCertificate rsa = ca.issue(SET.server().withKeyAlgorithm(KeyAlgorithm.RSA_2048));
    String pkcs1 = TraditionalKeyPem.of(rsa.privateKeyPem());
    assertThat(pkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----");

    assertThat(check(ca.certificatePem(), server.certificatePem(), sec1, BOTH, MEMBER_NAMES, CLOCK)).isEmpty();
    assertThat(check(ca.certificatePem(), rsa.certificatePem(), pkcs1, BOTH, MEMBER_NAMES, CLOCK)).isEmpty();
  }

  @Test
  void severalProblemsAreAllReported() {
    IssuedCertificate foreignClient = otherCa.issue(SET.client("app"));

    assertThat(check(ca.certificatePem(), foreignClient.certificatePem(), server.privateKeyPem(), BOTH,
        List.of("main.ns.svc"), CLOCK)).hasSize(4)
        .anySatisfy(p -> assertThat(p).startsWith("tls.key does not match"))
        .anySatisfy(p -> assertThat(p).contains("does not verify against ca.crt"))
        .anySatisfy(p -> assertThat(p).contains("lacks the extended key usage serverAuth"))
        .anySatisfy(p -> assertThat(p).contains("has no subject alternative name for main.ns.svc (it has no SANs)"));
  }

  private static List<String> check(String ca, String cert, String key, Set<ExtendedUsage> usages,
      List<String> names, Clock clock) {
    return CertificateCheck.problems(ca, cert, key, usages, names, clock);
  }
}
