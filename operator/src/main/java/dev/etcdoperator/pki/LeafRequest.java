package dev.etcdoperator.pki;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a leaf certificate should say. Names are validated and normalised here (lower-case DNS names, canonical IP
 * text, duplicates dropped), so a bad name fails when the request is made, not inside a signing library.
 *
 * @param commonName  the subject CN; for client certificates etcd uses it as the user name when auth is enabled
 * @param dnsNames    DNS SANs; a leading {@code *.} label makes a wildcard
 * @param ipAddresses IP SANs as literals ({@code 127.0.0.1}, {@code ::1})
 * @param usages      extended key usages; at least one (a leaf without EKU would be valid for every purpose)
 */
public record LeafRequest(String commonName, List<String> dnsNames, List<String> ipAddresses,
    Set<ExtendedUsage> usages, KeyAlgorithm keyAlgorithm, Duration validity) {

  /** X.520's upper bound for a common name. */
  static final int MAX_COMMON_NAME = 64;
  private static final Pattern DNS_NAME = Pattern.compile(
      "(\\*\\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

  public LeafRequest {
    Objects.requireNonNull(commonName, "commonName");
    Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
    Objects.requireNonNull(validity, "validity");
    if (commonName.isBlank() || commonName.length() > MAX_COMMON_NAME) {
      throw new IllegalArgumentException("commonName must be 1-" + MAX_COMMON_NAME + " characters, got '"
          + commonName + "'");
    }
    if (validity.isNegative() || validity.isZero()) {
      throw new IllegalArgumentException("validity must be positive, got " + validity);
    }
    if (usages == null || usages.isEmpty()) {
      throw new IllegalArgumentException("a leaf certificate needs at least one extended usage");
    }
    dnsNames = dnsNames(Objects.requireNonNull(dnsNames, "dnsNames"));
    ipAddresses = ipAddresses(Objects.requireNonNull(ipAddresses, "ipAddresses"));
    usages = Collections.unmodifiableSet(EnumSet.copyOf(usages));
  }

  /** The same request with more SANs, e.g. a member's own address for a test on loopback. */
  public LeafRequest withAdditionalNames(List<String> moreDnsNames, List<String> moreIpAddresses) {
    List<String> dns = new ArrayList<>(dnsNames);
    dns.addAll(moreDnsNames);
    List<String> ips = new ArrayList<>(ipAddresses);
    ips.addAll(moreIpAddresses);
    return new LeafRequest(commonName, dns, ips, usages, keyAlgorithm, validity);
  }

  public LeafRequest withValidity(Duration newValidity) {
    return new LeafRequest(commonName, dnsNames, ipAddresses, usages, keyAlgorithm, newValidity);
  }

  public LeafRequest withKeyAlgorithm(KeyAlgorithm newAlgorithm) {
    return new LeafRequest(commonName, dnsNames, ipAddresses, usages, newAlgorithm, validity);
  }

  private static List<String> dnsNames(List<String> names) {
    Set<String> result = new LinkedHashSet<>();
    for (String name : names) {
      String lower = Objects.requireNonNull(name, "DNS name").strip().toLowerCase(Locale.ROOT);
      if (IpLiteral.isIp(lower)) {
        throw new IllegalArgumentException("'" + name + "' is an IP address: put it in ipAddresses");
      }
      if (lower.length() > 253 || !DNS_NAME.matcher(lower).matches()) {
        throw new IllegalArgumentException("'" + name + "' is not a valid DNS name (wildcards only as a whole "
            + "leftmost label, e.g. *.main-peer.ns.svc)");
      }
      result.add(lower);
    }
    return List.copyOf(result);
  }

  private static List<String> ipAddresses(List<String> addresses) {
    Set<String> result = new LinkedHashSet<>();
    for (String address : addresses) {
      result.add(IpLiteral.normalize(Objects.requireNonNull(address, "IP address").strip()));
    }
    return List.copyOf(result);
  }
}
