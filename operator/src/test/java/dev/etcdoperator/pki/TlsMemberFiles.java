package dev.etcdoperator.pki;

import dev.etcdoperator.testing.EtcdProcessCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The certificate files of a TLS etcd cluster on loopback, laid out like the Secret mounts of a pod: one trust
 * file shared by all members (a Secret updated in place reaches every pod) and each member's own server and peer
 * pair. Member certificates are the {@link EtcdCertificateSet} requests plus the member's own 127.x address, because
 * on loopback members are reached by IP instead of through the peer Service's DNS names.
 */
public final class TlsMemberFiles {

  private final Path dir;
  private final EtcdCertificateSet set;
  private volatile Function<LeafRequest, IssuedCertificate> issuer;
  private volatile Function<String, LeafRequest> peerRequest;

  public TlsMemberFiles(Path dir, String trustedCaPem, EtcdCertificateSet set,
      Function<LeafRequest, IssuedCertificate> issuer) {
    this.dir = dir;
    this.set = set;
    this.issuer = Objects.requireNonNull(issuer);
    this.peerRequest = host -> set.peer().withAdditionalNames(List.of(), List.of(host));
    trust(trustedCaPem);
  }

  /**
   * Client and peer TLS with client-certificate authentication on both, from the files of this object, and
   * {@code --peer-cert-allowed-cn} so that only peer certificates (not every client certificate of the cluster CA,
   * such as an application's) are accepted on the peer port.
   */
  public EtcdProcessCluster.Builder configure(EtcdProcessCluster.Builder builder) {
    return builder.clientScheme("https").peerScheme("https").memberArgs(this::memberArgs);
  }

  /** Replaces the members' trust file ({@code --trusted-ca-file} and {@code --peer-trusted-ca-file}). */
  public void trust(String caPem) {
    TlsFixtures.writeAtomically(caFile(), caPem);
  }

  public Path caFile() {
    return dir.resolve("ca.crt");
  }

  /** Which CA signs member certificates from now on (CA rotation). */
  public void issuer(Function<LeafRequest, IssuedCertificate> newIssuer) {
    this.issuer = Objects.requireNonNull(newIssuer);
  }

  public IssuedCertificate issueServer(String host) {
    return issuer.apply(set.server().withAdditionalNames(List.of(), List.of(host)));
  }

  public IssuedCertificate issuePeer(String host) {
    return issuer.apply(peerRequest.apply(host));
  }

  /** What peer certificates say, given the member's address (default: the set's peer request plus the address). */
  public TlsMemberFiles peerRequest(Function<String, LeafRequest> request) {
    this.peerRequest = Objects.requireNonNull(request);
    return this;
  }

  /** Writes a member's {@code server} or {@code peer} pair, key first, each file replaced in one rename. */
  public void install(int ordinal, String kind, IssuedCertificate issued) {
    Path memberDir = dir.resolve("member-" + ordinal);
    TlsFixtures.writeAtomically(memberDir.resolve(kind + ".key"), issued.privateKeyPem());
    TlsFixtures.writeAtomically(memberDir.resolve(kind + ".crt"), issued.certificatePem());
  }

  /** Files for a client: what it trusts and the certificate it presents. */
  public ClientFiles client(String name, String trustedCaPem, IssuedCertificate issued) {
    Path clientDir = dir.resolve("client-" + name);
    return new ClientFiles(TlsFixtures.writeAtomically(clientDir.resolve("ca.crt"), trustedCaPem),
        TlsFixtures.writeAtomically(clientDir.resolve("tls.crt"), issued.certificatePem()),
        TlsFixtures.writeAtomically(clientDir.resolve("tls.key"), issued.privateKeyPem()));
  }

  /** Issues the member's certificates on its first launch; restarts keep whatever is installed by then. */
  private List<String> memberArgs(EtcdProcessCluster.MemberSpec member) {
    Path memberDir = dir.resolve("member-" + member.ordinal());
    if (!Files.exists(memberDir.resolve("server.crt"))) {
      install(member.ordinal(), "server", issueServer(member.host()));
      install(member.ordinal(), "peer", issuePeer(member.host()));
    }
    String ca = caFile().toString();
    return List.of(
        "--client-cert-auth", "--trusted-ca-file=" + ca,
        "--cert-file=" + memberDir.resolve("server.crt"), "--key-file=" + memberDir.resolve("server.key"),
        "--peer-client-cert-auth", "--peer-trusted-ca-file=" + ca,
        "--peer-cert-file=" + memberDir.resolve("peer.crt"), "--peer-key-file=" + memberDir.resolve("peer.key"),
        "--peer-cert-allowed-cn=" + set.peer().commonName());
  }

  public record ClientFiles(Path ca, Path certificate, Path key) {
  }
}
