package dev.etcdoperator.support;

/** The address family of pod IPs in the cluster (the primary one on dual-stack clusters). */
public enum IpFamily {
  IPV4, IPV6;

  /** The family of an address as the downward API gives it (status.podIP). */
  public static IpFamily of(String address) {
    return address != null && address.contains(":") ? IPV6 : IPV4;
  }
}
