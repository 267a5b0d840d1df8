package dev.etcdoperator.cluster.tls;

import dev.etcdoperator.access.ClientPems;
import dev.etcdoperator.api.v1alpha1.CertificateStatus;
import dev.etcdoperator.api.v1alpha1.TlsSpec;
import dev.etcdoperator.pki.CertificateCheck;
import dev.etcdoperator.pki.CertificateInfo;
import dev.etcdoperator.pki.ExtendedUsage;
import dev.etcdoperator.pki.PrivateKeyPem;
import dev.etcdoperator.resources.ClusterNames;
import dev.etcdoperator.resources.MemberTls;
import dev.etcdoperator.resources.TlsSecretBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * spec.tls.mode External: Secrets the user provides (cert-manager layout). The operator issues nothing; it checks
 * chain, key, usages, names and expiry, and says precisely what does not fit before any member uses them.
 */
final class ExternalCertificates {
  private final Clock clock;

  ExternalCertificates(Clock clock) {
    this.clock = clock;
  }

  /** One Secret to check: its role, and the usages and names etcd needs from it. */
  private record Expected(String role, String secret, Set<ExtendedUsage> usages, List<String> names) {}

  TlsState check(ClusterNames names, TlsSpec.ExternalTls external, String clusterDomain,
      Function<String, Secret> liveSecrets) {
    // A member name stands for all of them: the certificate must cover every member, e.g. with a wildcard.
    String member = names.memberPeerHost(0);
    Set<ExtendedUsage> both = Set.of(ExtendedUsage.SERVER_AUTH, ExtendedUsage.CLIENT_AUTH);
    List<Expected> expected = List.of(
        new Expected("server", external.getServerSecretName(), both,
            List.of(member, member + "." + clusterDomain, names.clientService() + "." + names.namespace() + ".svc")),
        new Expected("peer", external.getPeerSecretName(), both, List.of(member, member + "." + clusterDomain)),
        new Expected("operator-client", external.getOperatorClientSecretName(), Set.of(ExtendedUsage.CLIENT_AUTH),
            List.of()));

    List<String> problems = new ArrayList<>();
    List<CertificateStatus> statuses = new ArrayList<>();
    ClientPems operatorClient = null;
    for (Expected e : expected) {
      Secret secret = liveSecrets.apply(e.secret());
      if (secret == null) {
        problems.add("Secret " + e.secret() + " (" + e.role() + ") does not exist");
        continue;
      }
      String ca = TlsSecretBuilder.text(secret, TlsSecretBuilder.CA_CERT);
      String certificate = TlsSecretBuilder.text(secret, TlsSecretBuilder.TLS_CERT);
      String key = TlsSecretBuilder.text(secret, TlsSecretBuilder.TLS_KEY);
      List<String> found = CertificateCheck.problems(ca, certificate, key, e.usages(), e.names(), clock);
      found.forEach(p -> problems.add("Secret " + e.secret() + " (" + e.role() + "): " + p));
      if (found.isEmpty()) {
        statuses.add(CertificateStatuses.of(e.role(), e.secret(), CertificateInfo.parse(certificate),
            Optional.empty()));
        if (e.role().equals("operator-client")) {
          // jetcd's TLS layer reads PKCS#8 only; cert-manager writes PKCS#1 or SEC1 keys by default.
          operatorClient = new ClientPems(ca, certificate, PrivateKeyPem.toPkcs8(key));
        }
      }
    }
    // A change of the CAs the members trust (cert-manager renewing its CA, say) needs a restart to take effect.
    String trust = java.util.stream.Stream.of(external.getServerSecretName(), external.getPeerSecretName())
        .map(name -> Optional.ofNullable(TlsSecretBuilder.text(liveSecrets.apply(name), TlsSecretBuilder.CA_CERT))
            .orElse("").strip())
        .collect(java.util.stream.Collectors.joining("\n"));
    MemberTls memberTls = new MemberTls.Mutual(external.getServerSecretName(), external.getPeerSecretName(),
        Optional.empty(), TrustGeneration.of(trust));
    if (!problems.isEmpty()) {
      return new TlsState(memberTls, List.of(), List.of(), Optional.empty(), statuses, false,
          TlsReasons.INVALID_CERTIFICATES, String.join("; ", problems));
    }
    return new TlsState(memberTls, List.of(), List.of(), Optional.of(operatorClient), statuses, true,
        TlsReasons.CERTIFICATES_VALID, "the external certificates fit the cluster");
  }
}
