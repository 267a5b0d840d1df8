package dev.etcdoperator.pki;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.bouncycastle.util.IPAddress;

/** IP address literals in one canonical text form, so SANs from requests and from certificates compare equal. */
final class IpLiteral {

  private IpLiteral() {
  }

  static boolean isIp(String text) {
    return text != null && IPAddress.isValid(text);
  }

  /**
   * The JDK's canonical form ({@code 127.0.0.1}, {@code 0:0:0:0:0:0:0:1}).
   *
   * @throws IllegalArgumentException if {@code text} is not an IP literal (checked first, so no DNS lookup happens)
   */
  static String normalize(String text) {
    if (!isIp(text)) {
      throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address");
    }
    try {
      return InetAddress.getByName(text).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address", e);
    }
  }
}
