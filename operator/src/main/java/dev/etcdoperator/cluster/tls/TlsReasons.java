package dev.etcdoperator.cluster.tls;

/** Reasons of the CertificatesReady condition and of certificate Events. */
public final class TlsReasons {
  private TlsReasons() {}

  static final String CERTIFICATES_VALID = "CertificatesValid";
  static final String TLS_DISABLED = "TLSDisabled";
  static final String CA_UNREADABLE = "CAUnreadable";
  static final String CA_MISSING = "CAMissing";
  static final String SECRET_MISSING = "SecretMissing";
  static final String INVALID_CERTIFICATES = "InvalidCertificates";
  public static final String CERTIFICATES_ISSUED = "CertificatesIssued";
}
