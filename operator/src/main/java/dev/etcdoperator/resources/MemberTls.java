package dev.etcdoperator.resources;

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

  /** Client and peer TLS with client-certificate authentication on both. */
  record Mutual(String serverSecret, String peerSecret) implements MemberTls {
    @Override
    public String scheme() {
      return "https";
    }
  }
}
