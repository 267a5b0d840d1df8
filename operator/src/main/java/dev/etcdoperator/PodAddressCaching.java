package dev.etcdoperator;

import java.security.Security;

/**
 * How long this JVM keeps what a DNS lookup answered. The operator reaches members by their pods' DNS names; a pod
 * gets a new address when it is recreated, and its name only once it has one. The JVM's defaults (an address kept
 * 30 s, a missing name 10 s) would leave a recreated member unreachable at its old address, or a new member
 * unreachable for 10 s after its name appeared. Here an address is kept as long as cluster DNS serves it (CoreDNS's
 * default for cluster records: 5 s), and a missing name is looked up again at the next probe.
 *
 * <p>{@code -Dsun.net.inetaddr.ttl} and {@code -Dsun.net.inetaddr.negative.ttl} still choose other values. The JVM
 * normally lets its security properties override them, and the JDK's {@code java.security} file sets the negative
 * one to 10. A positive TTL set in that file is kept: the JDK ships it commented out, so whoever set it chose it.
 */
final class PodAddressCaching {
  static final String POSITIVE_SECONDS = "5";
  static final String NEGATIVE_SECONDS = "0";

  private PodAddressCaching() {}

  /** Must run before the JVM's first name lookup: the JVM reads these settings once. */
  static void apply() {
    if (Security.getProperty("networkaddress.cache.ttl") == null) {
      Security.setProperty("networkaddress.cache.ttl", System.getProperty("sun.net.inetaddr.ttl", POSITIVE_SECONDS));
    }
    Security.setProperty("networkaddress.cache.negative.ttl",
        System.getProperty("sun.net.inetaddr.negative.ttl", NEGATIVE_SECONDS));
  }
}
