package dev.etcdoperator.cluster.tls;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.TlsSpec;
import dev.etcdoperator.pki.EtcdCertificateSet;
import dev.etcdoperator.pki.KeyAlgorithm;
import dev.etcdoperator.pki.RenewalPolicy;
import dev.etcdoperator.resources.ClusterBlueprint;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/** Resolves spec.tls into this reconcile's {@link TlsState}, whichever the mode. */
public final class ClusterTls {
  private final OperatorIssuedCertificates issued;
  private final ExternalCertificates external;
  private final String clusterDomain;

  public ClusterTls(Clock clock, String clusterDomain) {
    this.issued = new OperatorIssuedCertificates(clock);
    this.external = new ExternalCertificates(clock);
    this.clusterDomain = clusterDomain;
  }

  static TlsSpec specOf(EtcdCluster cluster) {
    return Optional.ofNullable(cluster.getSpec().getTls()).orElseGet(TlsSpec::new);
  }

  /**
   * @param membersRun whether every member runs, healthy, a pod template of the given trust generation: a CA
   *     rotation moves to its next step only then
   */
  public TlsState resolve(EtcdCluster cluster, ClusterBlueprint blueprint, Function<String, Secret> liveSecrets,
      Predicate<String> membersRun) {
    TlsSpec tls = specOf(cluster);
    Optional<String> rotationRequest = Optional.ofNullable(cluster.getMetadata().getAnnotations())
        .map(a -> a.get(CaState.ROTATE_ANNOTATION));
    return switch (tls.getMode()) {
      case Disabled -> TlsState.disabled();
      case External -> external.check(blueprint.names(), tls.getExternal(), clusterDomain, liveSecrets);
      case Operator -> issued.plan(blueprint, certificateSet(blueprint, tls), renewal(tls), clientNames(tls),
          liveSecrets, rotationRequest, membersRun, Duration.ofSeconds(Optional.ofNullable(
              tls.getCaRotationStepMinSeconds()).orElse(TlsSpec.DEFAULT_CA_ROTATION_STEP_MIN_SECONDS)));
    };
  }

  private EtcdCertificateSet certificateSet(ClusterBlueprint blueprint, TlsSpec tls) {
    int caDays = Optional.ofNullable(tls.getCaValidityDays()).orElse(TlsSpec.DEFAULT_CA_VALIDITY_DAYS);
    int leafDays = Optional.ofNullable(tls.getCertificateValidityDays())
        .orElse(TlsSpec.DEFAULT_CERTIFICATE_VALIDITY_DAYS);
    return new EtcdCertificateSet(blueprint.names().cluster(), blueprint.names().namespace(), clusterDomain,
        KeyAlgorithm.parse(tls.getKeyAlgorithm()), Duration.ofDays(caDays), Duration.ofDays(leafDays));
  }

  private static RenewalPolicy renewal(TlsSpec tls) {
    int percent = Optional.ofNullable(tls.getRenewWhenRemainingPercent())
        .orElse(TlsSpec.DEFAULT_RENEW_WHEN_REMAINING_PERCENT);
    return new RenewalPolicy(percent / 100.0);
  }

  private static List<String> clientNames(TlsSpec tls) {
    return tls.getClientCertificates() == null ? List.of()
        : tls.getClientCertificates().stream().map(TlsSpec.ClientCertificate::getName).toList();
  }
}
