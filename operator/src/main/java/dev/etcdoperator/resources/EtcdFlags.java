package dev.etcdoperator.resources;

import static dev.etcdoperator.resources.MemberEnv.INITIAL_CLUSTER;
import static dev.etcdoperator.resources.MemberEnv.INITIAL_CLUSTER_STATE;
import static dev.etcdoperator.resources.MemberEnv.INITIAL_CLUSTER_TOKEN;
import static dev.etcdoperator.resources.MemberEnv.POD_IP;
import static dev.etcdoperator.resources.MemberEnv.POD_NAME;
import static dev.etcdoperator.resources.MemberEnv.POD_NAMESPACE;
import static dev.etcdoperator.resources.MemberEnv.ref;

import dev.etcdoperator.api.v1alpha1.ManagedEtcdFlags;
import dev.etcdoperator.support.EtcdVersion;
import dev.etcdoperator.support.IpFamily;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The etcd container's args for a cluster, per etcd minor. Per-pod values come from env vars through {@code $(VAR)}
 * expansion (the images have no shell). The order is fixed so the pod template is identical on every reconcile,
 * and no flag is ever emitted twice (etcd rejects repeated flags).
 *
 * <p>Flag names checked against etcd's documentation and sources: --logger is 3.4's switch away from its deprecated
 * default capnslog (3.5 made zap the default); --log-level exists since 3.4.0; --experimental-initial-corrupt-check
 * exists in 3.4 and 3.5 and is deprecated in 3.6 (decommissioned in 3.7) in favour of
 * --feature-gates=InitialCorruptCheck=true (etcd.io/docs/v3.6/feature-gates, embed.Config "Deprecated: Use
 * InitialCorruptCheck Feature Gate instead"); --feature-gates does not exist before 3.6.
 */
public final class EtcdFlags {
  /** Mount point of the data volume. */
  public static final String DATA_MOUNT_PATH = "/var/lib/etcd";
  /** A subdirectory: etcd wants its data dir mode 0700, and a volume root may hold lost+found. */
  public static final String DATA_DIR = DATA_MOUNT_PATH + "/data";

  static final String FEATURE_GATES = "feature-gates";
  static final String EXPERIMENTAL_INITIAL_CORRUPT_CHECK = "experimental-initial-corrupt-check";
  static final String INITIAL_CORRUPT_CHECK_GATE = "InitialCorruptCheck";

  private EtcdFlags() {}

  public static List<String> render(ClusterBlueprint blueprint) {
    Map<String, String> flags = flags(blueprint);
    List<String> args = new ArrayList<>(flags.size());
    flags.forEach((name, value) -> args.add("--" + name + "=" + value));
    return List.copyOf(args);
  }

  /** Flag name (without dashes) to value, in rendering order. */
  static Map<String, String> flags(ClusterBlueprint blueprint) {
    Flags flags = new Flags();
    EtcdVersion version = blueprint.version();
    String scheme = blueprint.scheme();
    // The member's own DNS name through the peer Service, as ClusterNames#memberPeerHost computes it for others.
    String host = ref(POD_NAME) + "." + blueprint.names().peerService() + "." + ref(POD_NAMESPACE) + ".svc";

    flags.put("name", ref(POD_NAME));
    flags.put("data-dir", DATA_DIR);
    // An IPv6 address needs brackets in a URL (etcd refuses "https://fd00::5:2380"); the brackets go around the
    // variable, which the kubelet expands.
    String podIp = blueprint.podIpFamily() == IpFamily.IPV6 ? "[" + ref(POD_IP) + "]" : ref(POD_IP);
    flags.put("listen-peer-urls", url(scheme, podIp, ClusterNames.PEER_PORT));
    // Loopback too: `kubectl port-forward` dials localhost inside the pod, which is how the operator reaches
    // members when it runs outside the cluster.
    flags.put("listen-client-urls", url(scheme, podIp, ClusterNames.CLIENT_PORT) + ","
        + url(scheme, "127.0.0.1", ClusterNames.CLIENT_PORT));
    // Always plain HTTP: the probes use it, and kubelet probes cannot present client certificates.
    flags.put("listen-metrics-urls", url("http", podIp, ClusterNames.METRICS_PORT));
    flags.put("advertise-client-urls", url(scheme, host, ClusterNames.CLIENT_PORT));
    flags.put("initial-advertise-peer-urls", url(scheme, host, ClusterNames.PEER_PORT));
    flags.put("initial-cluster", ref(INITIAL_CLUSTER));
    flags.put("initial-cluster-state", ref(INITIAL_CLUSTER_STATE));
    flags.put("initial-cluster-token", ref(INITIAL_CLUSTER_TOKEN));

    if (blueprint.tls() instanceof MemberTls.Mutual mutual) {
      flags.put("cert-file", MemberTls.SERVER_DIR + "/tls.crt");
      flags.put("key-file", MemberTls.SERVER_DIR + "/tls.key");
      flags.put("trusted-ca-file", MemberTls.SERVER_DIR + "/ca.crt");
      flags.put("client-cert-auth", "true");
      flags.put("peer-cert-file", MemberTls.PEER_DIR + "/tls.crt");
      flags.put("peer-key-file", MemberTls.PEER_DIR + "/tls.key");
      flags.put("peer-trusted-ca-file", MemberTls.PEER_DIR + "/ca.crt");
      flags.put("peer-client-cert-auth", "true");
      mutual.peerCommonName().ifPresent(cn -> flags.put("peer-cert-allowed-cn", cn));
    }

    if (isBefore35(version)) {
      flags.put("logger", "zap");
    }
    flags.put("log-outputs", "stderr");
    EtcdSettings etcd = blueprint.etcd();
    etcd.logLevel().ifPresent(l -> flags.put("log-level", l.name()));
    etcd.quotaBackendBytes().ifPresent(v -> flags.put("quota-backend-bytes", v.toString()));
    etcd.heartbeatIntervalMillis().ifPresent(v -> flags.put("heartbeat-interval", v.toString()));
    etcd.electionTimeoutMillis().ifPresent(v -> flags.put("election-timeout", v.toString()));
    etcd.snapshotCount().ifPresent(v -> flags.put("snapshot-count", v.toString()));
    etcd.maxRequestBytes().ifPresent(v -> flags.put("max-request-bytes", v.toString()));
    etcd.autoCompactionMode().ifPresent(v -> flags.put("auto-compaction-mode", v.name()));
    etcd.autoCompactionRetention().ifPresent(v -> flags.put("auto-compaction-retention", v));

    Map<String, String> extra = normalisedExtraArgs(etcd);
    putInitialCorruptCheck(flags, version, extra);

    // Last, in key order. Flags the operator manages are dropped (the CRD already rejects them; this is the
    // backstop), and so is anything merged above.
    extra.forEach((name, value) -> {
      if (!ManagedEtcdFlags.NAMES.contains(name) && !flags.contains(name)) {
        flags.put(name, value);
      }
    });
    return flags.asMap();
  }

  /**
   * Corruption check of the local data before serving, on by default. It is not a managed flag, so a user may turn
   * it off through extraArgs; then we emit nothing ourselves: older versions would see the flag twice, and 3.6
   * refuses to start when the experimental flag and its gate are both given ("cannot specify both flags", etcd
   * server/embed/config.go SetFeatureGatesFromExperimentalFlags).
   */
  private static void putInitialCorruptCheck(Flags flags, EtcdVersion version, Map<String, String> extra) {
    if (extra.containsKey(EXPERIMENTAL_INITIAL_CORRUPT_CHECK)) {
      return;
    }
    if (!hasFeatureGates(version)) {
      flags.put(EXPERIMENTAL_INITIAL_CORRUPT_CHECK, "true");
      return;
    }
    String userGates = extra.getOrDefault(FEATURE_GATES, "");
    boolean userSetGate = Arrays.stream(userGates.split(","))
        .map(g -> g.split("=", 2)[0].trim())
        .anyMatch(INITIAL_CORRUPT_CHECK_GATE::equals);
    String ours = INITIAL_CORRUPT_CHECK_GATE + "=true";
    // One --feature-gates flag carrying ours and the user's gates; the user's own setting of ours wins.
    flags.put(FEATURE_GATES, userGates.isBlank() ? ours : userSetGate ? userGates : ours + "," + userGates);
  }

  private static Map<String, String> normalisedExtraArgs(EtcdSettings etcd) {
    // Leading dashes stripped so "--name" cannot slip past the managed-flag check; sorted again after that.
    Map<String, String> extra = new TreeMap<>();
    etcd.extraArgs().forEach((key, value) -> {
      String name = key.replaceFirst("^-+", "").trim();
      if (!name.isEmpty()) {
        extra.putIfAbsent(name, value);
      }
    });
    return extra;
  }

  /** Flags a minor version no longer has (etcd refuses to start with them), by the first minor without them. */
  private static final Map<String, EtcdVersion> REMOVED = Map.of(
      "enable-v2", new EtcdVersion(3, 6, 0),
      "experimental-enable-v2v3", new EtcdVersion(3, 6, 0));

  /** Why extraArgs cannot run on {@code version}: a flag it no longer has. */
  static Optional<String> removedIn(EtcdVersion version, Set<String> extraArgs) {
    return extraArgs.stream().sorted().filter(f -> REMOVED.containsKey(f) && version.compareTo(REMOVED.get(f)) >= 0)
        .findFirst().map(f -> "spec.etcd.extraArgs sets " + f + ", which etcd " + REMOVED.get(f).major() + "."
            + REMOVED.get(f).minor() + " removed: etcd " + version + " would not start; remove it first");
  }

  static boolean isBefore35(EtcdVersion version) {
    return version.major() < 3 || (version.major() == 3 && version.minor() < 5);
  }

  static boolean hasFeatureGates(EtcdVersion version) {
    return version.atLeast(3, 6, 0);
  }

  private static String url(String scheme, String host, int port) {
    return scheme + "://" + host + ":" + port;
  }

  /** An insertion-ordered flag map that refuses a second value for the same flag. */
  private static final class Flags {
    private final Map<String, String> values = new LinkedHashMap<>();

    void put(String name, String value) {
      if (values.putIfAbsent(name, value) != null) {
        throw new IllegalStateException("flag --" + name + " rendered twice");
      }
    }

    boolean contains(String name) {
      return values.containsKey(name);
    }

    Map<String, String> asMap() {
      return Collections.unmodifiableMap(values);
    }
  }
}
