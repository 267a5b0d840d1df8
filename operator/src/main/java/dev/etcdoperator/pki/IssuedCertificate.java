package dev.etcdoperator.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Objects;

/**
 * A freshly signed certificate and its key, ready for a Secret ({@code tls.crt}, {@code tls.key}).
 *
 * @param certificatePem the certificate as one {@code CERTIFICATE} PEM block
 * @param privateKeyPem  the key as PKCS#8 {@code PRIVATE KEY} PEM, which both etcd and Netty (jetcd) read
 * @param serial         the serial number in lower-case hex, as {@link CertificateInfo#serial()} reports it
 */
public record IssuedCertificate(String certificatePem, String privateKeyPem, Instant notBefore, Instant notAfter,
    String serial) {

  public IssuedCertificate {
    Objects.requireNonNull(certificatePem, "certificatePem");
    Objects.requireNonNull(privateKeyPem, "privateKeyPem");
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(notAfter, "notAfter");
    Objects.requireNonNull(serial, "serial");
  }

  /** The parsed certificate. */
  public CertificateInfo info() {
    return CertificateInfo.parse(certificatePem);
  }

  /** The certificate, parsed: for a TLS library handed objects, so that it does not parse PEM its own way. */
  public X509Certificate certificate() {
    return PemCodec.firstCertificate(certificatePem);
  }

  /** The key, parsed with the JDK's providers (see {@link #certificate()}). */
  public PrivateKey privateKey() {
    return PemCodec.privateKey(privateKeyPem);
  }

  /** Deliberately without the key: records print every component by default, and this one ends up in logs. */
  @Override
  public String toString() {
    return "IssuedCertificate[serial=" + serial + ", notBefore=" + notBefore + ", notAfter=" + notAfter
        + ", privateKeyPem=(redacted)]";
  }
}
