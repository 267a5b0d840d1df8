package dev.etcdoperator.pki;

import org.bouncycastle.asn1.x509.KeyPurposeId;

/** The extended key usages that matter for etcd's TLS: which side of a handshake a certificate may play. */
public enum ExtendedUsage {
  SERVER_AUTH("serverAuth", KeyPurposeId.id_kp_serverAuth),
  CLIENT_AUTH("clientAuth", KeyPurposeId.id_kp_clientAuth);

  private final String rfcName;
  private final KeyPurposeId purpose;

  ExtendedUsage(String rfcName, KeyPurposeId purpose) {
    this.rfcName = rfcName;
    this.purpose = purpose;
  }

  /** The RFC 5280 / OpenSSL spelling, used in messages so users can compare with {@code openssl x509 -text}. */
  public String rfcName() {
    return rfcName;
  }

  KeyPurposeId purpose() {
    return purpose;
  }

  /** The dotted OID, as {@link java.security.cert.X509Certificate#getExtendedKeyUsage()} reports it. */
  String oid() {
    return purpose.getId();
  }
}
