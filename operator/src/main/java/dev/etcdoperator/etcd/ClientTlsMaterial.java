package dev.etcdoperator.etcd;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files of an {@link EtcdTls}, read with the JDK's own providers.
 *
 * <p>Handed to Netty as objects rather than files: given files, Netty parses the key with Bouncy Castle whenever
 * Bouncy Castle's PKIX jar is on the class path (ours is, for issuing certificates), and that instantiates Bouncy
 * Castle's JCA provider, some 800 classes the operator otherwise never loads.
 */
record ClientTlsMaterial(List<X509Certificate> trusted, List<X509Certificate> chain, PrivateKey key) {

  private static final Pattern PKCS8 = Pattern.compile(
      "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
  private static final List<String> KEY_ALGORITHMS = List.of("EC", "RSA", "Ed25519");

  ClientTlsMaterial {
    trusted = List.copyOf(trusted);
    chain = List.copyOf(chain);
  }

  /**
   * Reads the three files.
   *
   * @throws IOException a file that cannot be read
   * @throws GeneralSecurityException a file that holds no certificate, or a key that is not PKCS#8 PEM
   */
  static ClientTlsMaterial read(EtcdTls tls) throws IOException, GeneralSecurityException {
    return new ClientTlsMaterial(certificates(tls.caCertPem()), certificates(tls.clientCertPem()),
        pkcs8Key(tls.clientKeyPem()));
  }

  private static List<X509Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      List<X509Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
          .map(X509Certificate.class::cast)
          .toList();
      if (certificates.isEmpty()) {
        throw new GeneralSecurityException(pem + " holds no certificate");
      }
      return certificates;
    }
  }

  private static PrivateKey pkcs8Key(Path pem) throws IOException, GeneralSecurityException {
    Matcher block = PKCS8.matcher(Files.readString(pem));
    if (!block.find()) {
      throw new GeneralSecurityException(pem + " holds no \"BEGIN PRIVATE KEY\" block");
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(block.group(1)));
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException notThisAlgorithm) {
        // the next one
      }
    }
    throw new GeneralSecurityException(pem + " holds a key that is neither " + String.join(", ", KEY_ALGORITHMS));
  }
}
