package dev.etcdoperator.config;

import dev.etcdoperator.support.EtcdVersion;
import dev.etcdoperator.support.IpFamily;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Operator settings, read once from the environment at start-up. A bad value stops the operator with one line
 * naming the variable, rather than running with a silent default.
 */
public record OperatorConfig(
    Set<String> watchNamespaces,
    EtcdVersion defaultEtcdVersion,
    String etcdImageRepository,
    MemberAccess memberAccess,
    Duration etcdRequestTimeout,
    Duration resyncInterval,
    int healthPort,
    boolean leaderElection,
    String leaseName,
    String leaseNamespace,
    String leaderIdentity,
    String clusterDomain,
    String operatorImage,
    Duration replaceFailingMemberAfter,
    IpFamily podIpFamily) {

  /** How the operator reaches etcd members: pod DNS inside the cluster, or port-forwarding through the API server. */
  public enum MemberAccess {
    DIRECT, PORT_FORWARD, AUTO;

    static MemberAccess parse(String text) {
      return switch (text.trim().toLowerCase(Locale.ROOT)) {
        case "direct" -> DIRECT;
        case "port-forward" -> PORT_FORWARD;
        case "auto" -> AUTO;
        default -> throw new IllegalArgumentException("must be direct, port-forward or auto");
      };
    }
  }

  public static final String DEFAULT_ETCD_VERSION = "3.6.16";
  /** The image restore pods run the operator's own steps with; the Deployment sets it to its own image. */
  public static final String DEFAULT_OPERATOR_IMAGE = "ghcr.io/etcd-operator/etcd-operator:0.1.0";
  /** A member whose pod is not Ready this long, restarting meanwhile, is replaced (if that is safe). */
  public static final Duration DEFAULT_REPLACE_FAILING_MEMBER_AFTER = Duration.ofMinutes(5);
  /** How often a settled cluster is looked at, RESYNC_INTERVAL_SECONDS unset. */
  public static final Duration DEFAULT_RESYNC_INTERVAL = Duration.ofSeconds(60);

  private static final Duration MIN_CLUSTER_LEASE = Duration.ofSeconds(30);
  /** What an installation without leader election calls itself in front of its name: it has no leader Lease. */
  public static final String UNELECTED = "unelected";

  /** Reads the settings; {@code inCluster} decides the auto defaults (member access, leader election). */
  public static OperatorConfig fromEnvironment(Map<String, String> env, boolean inCluster, String podNamespace) {
    Settings s = new Settings(env);
    Set<String> namespaces = Arrays.stream(s.text("WATCH_NAMESPACES", "").split(","))
        .map(String::trim).filter(n -> !n.isEmpty()).collect(Collectors.toUnmodifiableSet());
    EtcdVersion version = s.parse("ETCD_DEFAULT_VERSION", DEFAULT_ETCD_VERSION, text -> EtcdVersion.parse(text)
        .filter(v -> v.isSupported() && v.withdrawn().isEmpty())
        .orElseThrow(() -> new IllegalArgumentException("must be a supported etcd version (3.4.x to 3.7.x)")));
    MemberAccess access = s.parse("ETCD_MEMBER_ACCESS", "auto", MemberAccess::parse);
    if (access == MemberAccess.AUTO) {
      access = inCluster ? MemberAccess.DIRECT : MemberAccess.PORT_FORWARD;
    }
    return new OperatorConfig(
        namespaces,
        version,
        s.text("ETCD_IMAGE_REPOSITORY", "gcr.io/etcd-development/etcd"),
        access,
        Duration.ofMillis(s.parse("ETCD_REQUEST_TIMEOUT_MS", "5000", Settings::positiveInt)),
        Duration.ofSeconds(s.parse("RESYNC_INTERVAL_SECONDS",
            Long.toString(DEFAULT_RESYNC_INTERVAL.toSeconds()), Settings::positiveInt)),
        s.parse("HEALTH_PORT", "8080", Settings::port),
        s.parse("LEADER_ELECTION", Boolean.toString(inCluster), Settings::bool),
        s.text("LEADER_ELECTION_LEASE_NAME", "etcd-operator-leader"),
        s.text("LEADER_ELECTION_NAMESPACE", podNamespace == null ? "default" : podNamespace),
        s.text("POD_NAME", s.text("HOSTNAME", "etcd-operator-" + UUID.randomUUID())),
        s.text("CLUSTER_DOMAIN", "cluster.local"),
        s.text("OPERATOR_IMAGE", DEFAULT_OPERATOR_IMAGE),
        Duration.ofSeconds(s.parse("REPLACE_FAILING_MEMBER_AFTER_SECONDS",
            Long.toString(DEFAULT_REPLACE_FAILING_MEMBER_AFTER.toSeconds()), Settings::positiveInt)),
        // Members run in the operator's cluster: their pod IPs are of the family the operator's own pod has.
        s.parse("POD_IP_FAMILY", "auto", text -> switch (text.trim().toLowerCase(Locale.ROOT)) {
          case "ipv4" -> IpFamily.IPV4;
          case "ipv6" -> IpFamily.IPV6;
          case "auto" -> IpFamily.of(env.get("POD_IP"));
          default -> throw new IllegalArgumentException("must be IPv4, IPv6 or auto");
        }));
  }

  /**
   * Who holds the clusters' Leases: the installation, not the pod. Replicas of one installation share it (leader
   * election already fences them, and a new leader goes on at once); another installation or an operator run without
   * leader election is someone else.
   */
  public String installation() {
    return leaderElection ? leaseNamespace + "/" + leaseName : UNELECTED + "/" + leaderIdentity;
  }

  /**
   * How long a cluster's Lease holds without renewal, for an installation without leader election (one with it is
   * alive while its leader Lease is): longer than the resync interval, as the holder renews it when it reconciles the
   * cluster, which an idle cluster does once per interval.
   */
  public Duration clusterLeaseDuration() {
    return resyncInterval.multipliedBy(3).compareTo(MIN_CLUSTER_LEASE) < 0 ? MIN_CLUSTER_LEASE
        : resyncInterval.multipliedBy(3);
  }

  /** Reads one variable at a time and names it in the error. */
  private record Settings(Map<String, String> env) {
    String text(String name, String fallback) {
      String value = env.get(name);
      return value == null || value.isBlank() ? fallback : value.trim();
    }

    <T> T parse(String name, String fallback, Function<String, T> parser) {
      String value = text(name, fallback);
      try {
        return parser.apply(value);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("invalid " + name + "='" + value + "': " + e.getMessage());
      }
    }

    static int positiveInt(String text) {
      int value = Integer.parseInt(text);
      if (value <= 0) {
        throw new IllegalArgumentException("must be positive");
      }
      return value;
    }

    static int port(String text) {
      int value = Integer.parseInt(text);
      if (value < 0 || value > 65535) {
        throw new IllegalArgumentException("must be a port number (0 picks a free one)");
      }
      return value;
    }

    static boolean bool(String text) {
      return switch (text.toLowerCase(Locale.ROOT)) {
        case "true" -> true;
        case "false" -> false;
        default -> throw new IllegalArgumentException("must be true or false");
      };
    }
  }
}
