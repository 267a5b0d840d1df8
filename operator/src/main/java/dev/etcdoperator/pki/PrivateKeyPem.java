package dev.etcdoperator.pki;

/**
 * Re-encodes a private key as PKCS#8 PEM. cert-manager writes PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1
 * ({@code EC PRIVATE KEY}) unless told otherwise; etcd reads those, but Netty (jetcd, the operator's own client)
 * reads PKCS#8 only, so the operator converts a user-supplied client key before handing it to {@code EtcdTls}.
 */
public final class PrivateKeyPem {

  private PrivateKeyPem() {
  }

  /**
   * The key of {@code pem} (PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted) as a PKCS#8 {@code PRIVATE KEY} block.
   *
   * @throws PemFormatException if {@code pem} holds no single readable key; the message never quotes the text
   */
  public static String toPkcs8(String pem) {
    return PemCodec.privateKeyPem(PemCodec.privateKey(pem));
  }
}
