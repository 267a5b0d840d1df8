package dev.etcdoperator.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.etcdoperator.pki.CertificateAuthority;
import dev.etcdoperator.pki.EtcdCertificateSet;
import dev.etcdoperator.pki.IssuedCertificate;
import dev.etcdoperator.pki.KeyAlgorithm;
import dev.etcdoperator.pki.TlsFixtures;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The client's TLS files read with the JDK's providers, as the etcd clients get them. */
class ClientTlsMaterialTest {

  private static final EtcdCertificateSet SET = new EtcdCertificateSet("main", "ns", "cluster.local",
      KeyAlgorithm.ECDSA_P256, Duration.ofDays(30), Duration.ofDays(1));

  @TempDir
  Path dir;

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void readsTheKeyAndChainTheOperatorIssues(KeyAlgorithm algorithm) throws Exception {
    CertificateAuthority ca = ca("ca");
    IssuedCertificate client = ca.issue(SET.operatorClient().withKeyAlgorithm(algorithm));

    ClientTlsMaterial material = ClientTlsMaterial.read(write(ca.certificatePem(), client.certificatePem(),
        client.privateKeyPem()));

    assertThat(material.key().getAlgorithm()).isEqualTo(algorithm.isRsa() ? "RSA" : "EC");
    assertThat(material.chain()).singleElement()
        .satisfies(c -> assertThat(c.getSubjectX500Principal().getName()).contains("CN=" + SET.operatorClient()
            .commonName()));
  }

  @Test
  void trustsEveryCertificateOfABundle() throws Exception {
    CertificateAuthority old = ca("old");
    CertificateAuthority next = ca("next");
    IssuedCertificate client = next.issue(SET.operatorClient());

    ClientTlsMaterial material = ClientTlsMaterial.read(write(old.certificatePem() + next.certificatePem(),
        client.certificatePem(), client.privateKeyPem()));

    assertThat(material.trusted()).extracting(c -> c.getSubjectX500Principal().getName())
        .containsExactly("CN=old", "CN=next");
  }

  @Test
  void aKeyThatIsNotPkcs8IsRefusedWithTheFileAndTheFormatNamed() throws Exception {
    CertificateAuthority ca = ca("ca");
    IssuedCertificate client = ca.issue(SET.operatorClient());
    String sec1 = client.privateKeyPem().replace("BEGIN PRIVATE KEY", "BEGIN EC PRIVATE KEY")
        .replace("END PRIVATE KEY", "END EC PRIVATE KEY");
    EtcdTls tls = write(ca.certificatePem(), client.certificatePem(), sec1);

    assertThatThrownBy(() -> ClientTlsMaterial.read(tls))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessage(tls.clientKeyPem() + " holds no \"BEGIN PRIVATE KEY\" block");
    assertThatThrownBy(() -> EtcdClient.connect(EtcdConnection.withTls(List.of(URI.create("https://h:2379")),
        Duration.ofSeconds(1), tls)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(tls.clientKeyPem().toString())
        .hasMessageContaining("the key must be PKCS#8 PEM");
  }

  @Test
  void aCertificateFileWithoutACertificateIsRefused() throws Exception {
    CertificateAuthority ca = ca("ca");
    IssuedCertificate client = ca.issue(SET.operatorClient());
    EtcdTls tls = write("", client.certificatePem(), client.privateKeyPem());

    assertThatThrownBy(() -> ClientTlsMaterial.read(tls))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessage(tls.caCertPem() + " holds no certificate");
  }

  private static CertificateAuthority ca(String name) {
    // Nothing here checks validity: a fixed clock.
    return CertificateAuthority.create(name, KeyAlgorithm.ECDSA_P256, Duration.ofDays(30),
        TlsFixtures.clockAt(TlsFixtures.NOW));
  }

  private EtcdTls write(String caPem, String certPem, String keyPem) throws IOException {
    EtcdTls tls = new EtcdTls(dir.resolve("ca.crt"), dir.resolve("tls.crt"), dir.resolve("tls.key"));
    Files.writeString(tls.caCertPem(), caPem);
    Files.writeString(tls.clientCertPem(), certPem);
    Files.writeString(tls.clientKeyPem(), keyPem);
    return tls;
  }
}
