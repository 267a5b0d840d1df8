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
  /** Pod template annotation carrying {@link Mutual#trustGeneration()}. */
  String TRUST_GENERATION_ANNOTATION = "etcdoperator.dev/tls-trust-generation";

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
   *
   * @param trustGeneration changes whenever the CAs the members trust (or the CA that signs their certificates)
   *     change: etcd reads its trusted CA file only at start, so it goes into the pod template, and a change rolls
   *     the members; empty when unknown
   */
  record Mutual(String serverSecret, String peerSecret, Optional<String> peerCommonName, String trustGeneration)
      implements MemberTls {
    public Mutual(String serverSecret, String peerSecret) {
      this(serverSecret, peerSecret, Optional.empty(), "");
    }

    public Mutual(String serverSecret, String peerSecret, Optional<String> peerCommonName) {
      this(serverSecret, peerSecret, peerCommonName, "");
    }

    @Override
    public String scheme() {
      return "https";
    }
  }
}
