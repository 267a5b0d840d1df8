package dev.etcdoperator.cluster.tls;

import dev.etcdoperator.access.ClientPems;
import dev.etcdoperator.api.v1alpha1.CertificateStatus;
import dev.etcdoperator.pki.CertificateAuthority;
import dev.etcdoperator.pki.CertificateInfo;
import dev.etcdoperator.pki.EtcdCertificateSet;
import dev.etcdoperator.pki.IssuedCertificate;
import dev.etcdoperator.pki.LeafRequest;
import dev.etcdoperator.pki.RenewalPolicy;
import dev.etcdoperator.resources.ClusterBlueprint;
import dev.etcdoperator.resources.ClusterNames;
import dev.etcdoperator.resources.MemberTls;
import dev.etcdoperator.resources.TlsSecretBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * spec.tls.mode Operator: a CA per cluster and the leaves it signs. Each certificate is issued when its Secret is
 * missing, renewed when the renewal policy says so, and re-issued when it no longer fits (other names, another
 * CA). Certificates that fit are left alone, so a reconcile writes nothing in the steady state.
 */
final class OperatorIssuedCertificates {
  private static final String SIGNED_LEAF = "signed leaf";
  private final Clock clock;
  private final CertificateReadings readings;

  OperatorIssuedCertificates(Clock clock) {
    this.clock = clock;
    this.readings = new CertificateReadings(clock);
  }

  /** What one leaf is: its role in status, its Secret and what it must certify. */
  private record Leaf(String role, String secret, LeafRequest request) {}

  /**
   * @param rotationRequest the value of the cluster's {@value CaState#ROTATE_ANNOTATION} annotation, if any
   * @param membersRun whether every member runs, healthy, a pod template of the given trust generation
   * @param rotationStep the shortest time a step of a CA rotation lasts
   */
  TlsState plan(ClusterBlueprint blueprint, EtcdCertificateSet set, RenewalPolicy policy, List<String> clients,
      Function<String, Secret> liveSecrets, Optional<String> rotationRequest, Predicate<String> membersRun,
      Duration rotationStep) {
    ClusterNames names = blueprint.names();
    List<Secret> toWrite = new ArrayList<>();
    List<String> issued = new ArrayList<>();
    List<CertificateStatus> statuses = new ArrayList<>();

    Secret caSecret = liveSecrets.apply(names.caSecret());
    Supplier<CertificateAuthority> newCa =
        () -> CertificateAuthority.create(set.caCommonName(), set.keyAlgorithm(), set.caValidity(), clock);
    CaState cas;
    Optional<String> issuedBefore = leaves(names, set, clients).stream().map(Leaf::secret)
        .filter(s -> liveSecrets.apply(s) != null).findFirst();
    if (caSecret == null && issuedBefore.isPresent()) {
      // Members trust only the CA that signed their certificates (etcd reads trusted CAs at start): a new one would
      // re-sign them all at once and cut them off from each other.
      return new TlsState(new MemberTls.Mutual(names.serverTlsSecret(), names.peerTlsSecret()), List.of(),
          List.of(), Optional.empty(), List.of(), false, TlsReasons.CA_MISSING, "Secret " + names.caSecret()
              + " is gone, but the members hold certificates of the CA it held (Secret " + issuedBefore.get()
              + ") and trust only that CA: restore " + names.caSecret() + " from a backup of it. No new CA is made "
              + "while certificates of the old one exist; deleting the certificate Secrets makes one, and every "
              + "member then has to restart onto it");
    }
    if (caSecret == null) {
      cas = CaState.fresh(newCa.get());
      toWrite.add(cas.toSecret(blueprint, names.caSecret()));
      issued.add("ca issued");
    } else {
      try {
        cas = readings.read("ca", contents(caSecret), () -> CaState.read(caSecret, clock));
      } catch (IllegalArgumentException | NullPointerException e) {
        // Never replace a CA we cannot read: members trust it, and a new one would cut them off from each other.
        return new TlsState(new MemberTls.Mutual(names.serverTlsSecret(), names.peerTlsSecret()), List.of(),
            List.of(), Optional.empty(), List.of(), false, TlsReasons.CA_UNREADABLE, "Secret " + names.caSecret()
                + " does not hold a usable CA (ca.crt and ca.key): " + e.getMessage());
      }
      Optional<CaState.Transition> step = cas.advance(rotationRequest, policy.isDue(cas.signing().info(), clock),
          membersRun.test(cas.generation()), newCa, clock.instant(), rotationStep);
      if (step.isPresent()) {
        cas = step.get().state();
        toWrite.add(cas.toSecret(blueprint, names.caSecret()));
        issued.add(step.get().what());
      }
    }
    CertificateAuthority ca = cas.signing();
    String bundle = cas.bundle();
    statuses.add(CertificateStatuses.of("ca", names.caSecret(), ca.info(), Optional.of(policy.dueAt(ca.info()))));
    cas.next().ifPresent(next -> statuses.add(CertificateStatuses.of("ca-next", names.caSecret(), next.info(),
        Optional.empty())));

    String operatorCertificate = null;
    String operatorKey = null;
    for (Leaf leaf : leaves(names, set, clients)) {
      Secret live = liveSecrets.apply(leaf.secret());
      Optional<CertificateInfo> current = fitting(live, leaf.request(), ca);
      String certificatePem;
      String keyPem;
      CertificateInfo info;
      if (current.isPresent() && !policy.isDue(current.get(), clock)) {
        certificatePem = TlsSecretBuilder.text(live, TlsSecretBuilder.TLS_CERT);
        keyPem = TlsSecretBuilder.text(live, TlsSecretBuilder.TLS_KEY);
        info = current.get();
        if (!bundle.strip().equals(normalized(TlsSecretBuilder.text(live, TlsSecretBuilder.CA_CERT)))) {
          toWrite.add(TlsSecretBuilder.leaf(blueprint, leaf.secret(), certificatePem, keyPem, bundle));
        }
      } else {
        IssuedCertificate certificate = ca.issue(leaf.request());
        certificatePem = certificate.certificatePem();
        keyPem = certificate.privateKeyPem();
        info = certificate.info();
        // The next reconcile reads it back from the Secret: this CA signed it, no need to verify that again.
        readings.remember(SIGNED_LEAF, List.of(ca.certificatePem(), certificatePem), Optional.of(info));
        toWrite.add(TlsSecretBuilder.leaf(blueprint, leaf.secret(), certificatePem, keyPem, bundle));
        issued.add(leaf.role() + (live == null ? " issued" : " renewed"));
      }
      statuses.add(CertificateStatuses.of(leaf.role(), leaf.secret(), info, Optional.of(policy.dueAt(info))));
      if (leaf.secret().equals(names.operatorClientTlsSecret())) {
        operatorCertificate = certificatePem;
        operatorKey = keyPem;
      }
    }
    return new TlsState(new MemberTls.Mutual(names.serverTlsSecret(), names.peerTlsSecret(),
        Optional.of(set.peer().commonName()), cas.generation()), toWrite, issued,
        Optional.of(new ClientPems(bundle, operatorCertificate, operatorKey)), statuses, true,
        TlsReasons.CERTIFICATES_VALID, cas.step(rotationStep).map(step -> "certificates are valid; " + step)
            .orElse("certificates are issued by the cluster CA and valid"));
  }

  private static List<Leaf> leaves(ClusterNames names, EtcdCertificateSet set, List<String> clients) {
    List<Leaf> leaves = new ArrayList<>(List.of(
        new Leaf("server", names.serverTlsSecret(), set.server()),
        new Leaf("peer", names.peerTlsSecret(), set.peer()),
        new Leaf("operator-client", names.operatorClientTlsSecret(), set.operatorClient())));
    clients.forEach(c -> leaves.add(new Leaf("client-" + c, names.clientTlsSecret(c), set.client(c))));
    return leaves;
  }

  /** The live certificate, if it still certifies what is asked and was signed by this CA. */
  private Optional<CertificateInfo> fitting(Secret live, LeafRequest request, CertificateAuthority ca) {
    if (live == null) {
      return Optional.empty();
    }
    String certificatePem = TlsSecretBuilder.text(live, TlsSecretBuilder.TLS_CERT);
    if (certificatePem == null || TlsSecretBuilder.text(live, TlsSecretBuilder.TLS_KEY) == null) {
      return Optional.empty();
    }
    return readings.read(SIGNED_LEAF, List.of(ca.certificatePem(), certificatePem),
        () -> signedBy(ca, certificatePem)).filter(info -> info.subjectCommonName().equals(request.commonName())
            && info.dnsNames().containsAll(request.dnsNames())
            && info.ipAddresses().containsAll(request.ipAddresses())
            && info.issuerCommonName().equals(ca.info().subjectCommonName()));
  }

  private static Optional<CertificateInfo> signedBy(CertificateAuthority ca, String certificatePem) {
    if (!ca.signed(certificatePem)) {
      return Optional.empty();
    }
    try {
      return Optional.of(CertificateInfo.parse(certificatePem));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Everything a Secret holds, in a fixed order. */
  private static List<String> contents(Secret secret) {
    List<String> contents = new ArrayList<>();
    new TreeMap<>(Optional.ofNullable(secret.getData()).orElse(Map.of()))
        .forEach((key, value) -> contents.add("data:" + key + "=" + value));
    new TreeMap<>(Optional.ofNullable(secret.getStringData()).orElse(Map.of()))
        .forEach((key, value) -> contents.add("stringData:" + key + "=" + value));
    return contents;
  }

  private static String normalized(String pem) {
    return pem == null ? null : pem.strip();
  }
}
