package dev.etcdoperator.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Reads and writes the PEM the operator stores in Secrets. Writes certificates as {@code CERTIFICATE} and keys
 * only as PKCS#8 {@code PRIVATE KEY} (Netty in jetcd reads nothing else; etcd reads it too); reads PKCS#8 as well
 * as the PKCS#1/SEC1 forms ({@code RSA PRIVATE KEY}, {@code EC PRIVATE KEY}) that cert-manager writes by default.
 */
final class PemCodec {

  private static final String CERTIFICATE = "CERTIFICATE";
  private static final String PRIVATE_KEY = "PRIVATE KEY";

  private PemCodec() {
  }

  /** Every certificate in {@code pem}, in order; anything other than certificates is an error. */
  static List<X509Certificate> certificates(String pem) {
    List<X509Certificate> certificates = new ArrayList<>();
    for (Object block : blocks(pem, "certificate")) {
      if (!(block instanceof X509CertificateHolder holder)) {
        throw new PemFormatException("expected only CERTIFICATE blocks but found " + describe(block));
      }
      try {
        certificates.add(new JcaX509CertificateConverter().getCertificate(holder));
      } catch (CertificateException e) {
        throw new PemFormatException("unreadable certificate: " + e.getMessage(), e);
      }
    }
    if (certificates.isEmpty()) {
      throw new PemFormatException("no CERTIFICATE block found");
    }
    return List.copyOf(certificates);
  }

  /** The first certificate of {@code pem} (a chain file starts with the leaf). */
  static X509Certificate firstCertificate(String pem) {
    return certificates(pem).get(0);
  }

  /**
   * The single private key in {@code pem} (PKCS#8, PKCS#1 RSA or SEC1 EC; certificate blocks beside it are
   * ignored). Messages never quote the text.
   */
  static PrivateKey privateKey(String pem) {
    List<PrivateKeyInfo> keys = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (Object block : blocks(pem, "private key")) {
      if (block instanceof PrivateKeyInfo info) {
        keys.add(info);
      } else if (block instanceof PEMKeyPair pair) {
        keys.add(pair.getPrivateKeyInfo());
      } else if (block instanceof PKCS8EncryptedPrivateKeyInfo || block instanceof PEMEncryptedKeyPair) {
        throw new PemFormatException("the private key is encrypted; an unencrypted key is required");
      } else if (!(block instanceof X509CertificateHolder)) {
        others.add(describe(block));
      }
    }
    if (keys.size() != 1) {
      throw new PemFormatException(keys.isEmpty()
          ? "no PRIVATE KEY block found" + (others.isEmpty() ? "" : " (found " + String.join(", ", others) + ")")
          : "expected one private key but found " + keys.size());
    }
    return toPrivateKey(keys.get(0));
  }

  static String certificatePem(X509Certificate certificate) {
    try {
      return pem(CERTIFICATE, certificate.getEncoded());
    } catch (CertificateException e) {
      throw new IllegalStateException("cannot encode certificate", e);
    }
  }

  /** PKCS#8 PEM; the JDK's key encodings already are PKCS#8 PrivateKeyInfo. */
  static String privateKeyPem(PrivateKey key) {
    if (!"PKCS#8".equals(key.getFormat())) {
      throw new IllegalArgumentException("key is not PKCS#8-encodable (format " + key.getFormat() + ")");
    }
    return pem(PRIVATE_KEY, key.getEncoded());
  }

  private static String pem(String type, byte[] der) {
    StringWriter out = new StringWriter();
    try (PemWriter writer = new PemWriter(out)) {
      writer.writeObject(new PemObject(type, der));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  private static List<Object> blocks(String pem, String what) {
    if (pem == null || pem.isBlank()) {
      throw new PemFormatException("no PEM data (expected a " + what + ")");
    }
    List<Object> blocks = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
        blocks.add(block);
      }
    } catch (IOException | RuntimeException e) {
      // BC's messages name the block type or the structural fault, never the content.
      throw new PemFormatException("malformed PEM: " + e.getMessage(), e);
    }
    if (blocks.isEmpty()) {
      throw new PemFormatException("no PEM block found (expected a " + what + ")");
    }
    return blocks;
  }

  private static PrivateKey toPrivateKey(PrivateKeyInfo info) {
    ASN1ObjectIdentifier type = info.getPrivateKeyAlgorithm().getAlgorithm();
    String algorithm;
    if (type.equals(PKCSObjectIdentifiers.rsaEncryption)) {
      algorithm = "RSA";
    } else if (type.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      algorithm = "EC";
    } else {
      throw new PemFormatException("unsupported private key algorithm " + type.getId() + " (need RSA or EC)");
    }
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
    } catch (GeneralSecurityException | IOException e) {
      // JDK key-parsing messages describe the structure ("EC domain parameters must be encoded..."), not bytes.
      throw new PemFormatException("unreadable " + algorithm + " private key: " + e.getMessage(), e);
    }
  }

  /** A block's kind for messages, e.g. "a CERTIFICATE", never its content. */
  private static String describe(Object block) {
    if (block instanceof X509CertificateHolder) {
      return "a CERTIFICATE";
    }
    if (block instanceof PrivateKeyInfo || block instanceof PEMKeyPair
        || block instanceof PKCS8EncryptedPrivateKeyInfo || block instanceof PEMEncryptedKeyPair) {
      return "a private key";
    }
    return "a " + block.getClass().getSimpleName();
  }
}
