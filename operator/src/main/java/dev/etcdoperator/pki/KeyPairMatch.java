package dev.etcdoperator.pki;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.Optional;

/**
 * Whether a private key belongs to a certificate's public key: signs a random challenge and verifies it, which
 * works the same for RSA and EC without deriving one key from the other.
 */
final class KeyPairMatch {

  private KeyPairMatch() {
  }

  /** Empty when the keys form a pair; otherwise why not, in words that never include key material. */
  static Optional<String> mismatch(PrivateKey privateKey, PublicKey publicKey) {
    String have = privateKey.getAlgorithm();
    String want = publicKey.getAlgorithm();
    if (!have.equals(want)) {
      return Optional.of("is " + article(have) + " key but the certificate holds " + article(want) + " public key");
    }
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      String algorithm = signatureAlgorithm(privateKey);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature) ? Optional.empty()
          : Optional.of("does not match the certificate's public key");
    } catch (GeneralSecurityException e) {
      // e.g. EC keys on different curves: a mismatch, not a crash
      return Optional.of("does not match the certificate's public key (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** SHA-256 with whatever the key is; the CA's key decides how certificates are signed. */
  static String signatureAlgorithm(PrivateKey key) {
    return switch (key.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      default -> throw new IllegalArgumentException("unsupported key type " + key.getAlgorithm());
    };
  }

  private static String article(String algorithm) {
    return switch (algorithm) {
      case "EC" -> "an EC";
      case "RSA" -> "an RSA";
      default -> "a " + algorithm;
    };
  }
}
