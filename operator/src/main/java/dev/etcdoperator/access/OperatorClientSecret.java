package dev.etcdoperator.access;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.TlsSpec;
import dev.etcdoperator.pki.PrivateKeyPem;
import dev.etcdoperator.resources.ClusterNames;
import dev.etcdoperator.resources.TlsSecretBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.Optional;

/**
 * Which Secret holds the operator's client certificate for a cluster, and its content as jetcd needs it. For a
 * reconciler other than the cluster's own (backups), which reads what the cluster reconciler issued or checked.
 */
public final class OperatorClientSecret {
  private OperatorClientSecret() {}

  /** Empty when the cluster runs without TLS. */
  public static Optional<String> nameFor(EtcdCluster cluster) {
    TlsSpec tls = Optional.ofNullable(cluster.getSpec().getTls()).orElseGet(TlsSpec::new);
    return switch (tls.getMode() == null ? TlsSpec.Mode.Operator : tls.getMode()) {
      case Operator -> Optional.of(ClusterNames.of(cluster).operatorClientTlsSecret());
      case External -> Optional.ofNullable(tls.getExternal()).map(TlsSpec.ExternalTls::getOperatorClientSecretName);
      case Disabled -> Optional.empty();
    };
  }

  /** The Secret's CA bundle, certificate and key (as PKCS#8, the only form jetcd reads). */
  public static ClientPems pems(Secret secret) {
    return new ClientPems(TlsSecretBuilder.text(secret, TlsSecretBuilder.CA_CERT),
        TlsSecretBuilder.text(secret, TlsSecretBuilder.TLS_CERT),
        PrivateKeyPem.toPkcs8(TlsSecretBuilder.text(secret, TlsSecretBuilder.TLS_KEY)));
  }
}
