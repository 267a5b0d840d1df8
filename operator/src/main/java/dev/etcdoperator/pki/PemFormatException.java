package dev.etcdoperator.pki;

/**
 * PEM text that does not hold what it should (no certificate, a malformed block, an unsupported key type).
 *
 * <p>Messages describe the structure only (block types, counts, parser errors), never the PEM text itself: the text
 * may be a private key.
 */
public final class PemFormatException extends IllegalArgumentException {

  public PemFormatException(String message) {
    super(message);
  }

  public PemFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
