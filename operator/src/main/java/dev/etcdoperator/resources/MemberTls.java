package dev.etcdoperator.resources;

import java.util.Optional;

/**
 * How members secure client and peer traffic. Mutual TLS mounts two Secrets in the kubernetes.io/tls layout
 * (tls.crt, tls.key, ca.crt): one for the client listener, one for peer traffic; etcd re-reads the certificate
 * files on each handshake, so renewed Secrets take effect without a restart.
 */
public sealed interface MemberTls {
  String SERVER_VOLUME = "server-tls";
  String PEER_VOLUME = "peer-tls";
  String SERVER_DIR = "/etc/etcd/tls/server";
  String PEER_DIR = "/etc/etcd/tls/peer";

  String scheme();

  /** Plain HTTP: only when the user disabled TLS explicitly. */
  record Plain() implements MemberTls {
    @Override
    public String scheme() {
      return "http";
    }
  }

  /**
   * Client and peer TLS with client-certificate authentication on both. When the peer certificates' common name is
   * known (the operator issues them), only that name is accepted on the peer port: otherwise any client certificate
   * of the same CA, such as an application's, could join raft traffic.
   */
  record Mutual(String serverSecret, String peerSecret, Optional<String> peerCommonName) implements MemberTls {
    public Mutual(String serverSecret, String peerSecret) {
      this(serverSecret, peerSecret, Optional.empty());
    }

    @Override
    public String scheme() {
      return "https";
    }
  }
}
