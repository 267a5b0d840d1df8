package dev.etcdoperator.pki;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Base64;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Re-encodes one of our PKCS#8 keys the way cert-manager and OpenSSL do by default: PKCS#1 {@code RSA PRIVATE KEY},
 * or SEC1 {@code EC PRIVATE KEY} carrying its curve (the JDK's PKCS#8 EC encoding keeps the curve only in the outer
 * algorithm identifier, so a naive unwrap would lose it).
 */
final class TraditionalKeyPem {

  private TraditionalKeyPem() {
  }

  static String of(String pkcs8Pem) {
    try {
      PrivateKeyInfo info = PrivateKeyInfo.getInstance(
          Base64.getDecoder().decode(TlsFixtures.body(pkcs8Pem)));
      if (info.getPrivateKeyAlgorithm().getAlgorithm().equals(PKCSObjectIdentifiers.rsaEncryption)) {
        return pem("RSA PRIVATE KEY", info.parsePrivateKey().toASN1Primitive().getEncoded());
      }
      ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
      ASN1BitString publicKey = inner.getPublicKey();
      ECPrivateKey withCurve = new ECPrivateKey(256, inner.getKey(), publicKey,
          info.getPrivateKeyAlgorithm().getParameters());
      return pem("EC PRIVATE KEY", withCurve.getEncoded());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String pem(String type, byte[] der) throws IOException {
    StringWriter out = new StringWriter();
    try (PemWriter writer = new PemWriter(out)) {
      writer.writeObject(new PemObject(type, der));
    }
    return out.toString();
  }
}
