package dev.etcdoperator.pki;

import java.util.List;
import java.util.Locale;

/**
 * Whether a certificate's SANs cover a name, the way Go's {@code crypto/x509} (etcd, etcdctl) and Java's HTTPS
 * hostname check decide it: IP literals only match IP SANs; a wildcard SAN covers exactly one leftmost label
 * ({@code *.main-peer.ns.svc} covers {@code main-0.main-peer.ns.svc} but neither {@code main-peer.ns.svc} nor
 * {@code a.main-0.main-peer.ns.svc}); a required wildcard is covered only by the same wildcard.
 */
final class NameCoverage {

  private NameCoverage() {
  }

  static boolean covers(List<String> dnsNames, List<String> ipAddresses, String required) {
    if (IpLiteral.isIp(required)) {
      String wanted = IpLiteral.normalize(required);
      return ipAddresses.stream().anyMatch(ip -> IpLiteral.isIp(ip) && IpLiteral.normalize(ip).equals(wanted));
    }
    String wanted = trimDot(required.toLowerCase(Locale.ROOT));
    for (String san : dnsNames) {
      String name = trimDot(san.toLowerCase(Locale.ROOT));
      if (name.equals(wanted) || (name.startsWith("*.") && !wanted.startsWith("*.") && wildcardMatch(name, wanted))) {
        return true;
      }
    }
    return false;
  }

  private static boolean wildcardMatch(String wildcard, String name) {
    int dot = name.indexOf('.');
    return dot > 0 && name.substring(dot).equals(wildcard.substring(1));
  }

  /** A fully qualified name may end with a dot; SANs never do. */
  private static String trimDot(String name) {
    return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
  }
}
