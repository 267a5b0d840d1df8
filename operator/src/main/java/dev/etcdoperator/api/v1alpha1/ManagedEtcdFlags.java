package dev.etcdoperator.api.v1alpha1;

import java.util.List;

/**
 * etcd flags the operator sets itself; {@code spec.etcd.extraArgs} may not override them, because a wrong value
 * would break membership, TLS or the probes the operator relies on.
 */
public final class ManagedEtcdFlags {
  private ManagedEtcdFlags() {}

  /** The same list as {@link #NAMES}, as a CEL list literal for the CRD validation rule (must be a constant). */
  static final String CEL_LIST = "['name', 'data-dir', 'wal-dir', 'listen-peer-urls', 'listen-client-urls',"
      + " 'advertise-client-urls', 'initial-advertise-peer-urls', 'initial-cluster', 'initial-cluster-state',"
      + " 'initial-cluster-token', 'listen-metrics-urls', 'cert-file', 'key-file', 'trusted-ca-file',"
      + " 'client-cert-auth', 'peer-cert-file', 'peer-key-file', 'peer-trusted-ca-file', 'peer-client-cert-auth', 'peer-cert-allowed-cn',"
      + " 'auto-tls', 'peer-auto-tls', 'discovery', 'discovery-srv', 'force-new-cluster', 'logger', 'log-outputs',"
      + " 'quota-backend-bytes', 'heartbeat-interval', 'election-timeout', 'snapshot-count', 'max-request-bytes',"
      + " 'auto-compaction-mode', 'auto-compaction-retention', 'log-level']";

  public static final List<String> NAMES = List.of(CEL_LIST.substring(1, CEL_LIST.length() - 1)
      .replace("'", "").split(",\\s*"));
}
