package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.MemberStatus;
import dev.etcdoperator.support.EtcdVersion;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The etcd version the members' template runs. */
final class VersionToRun {
  private VersionToRun() {}

  /**
   * spec.version if set. Without it, keep what runs: the highest member version, since spec.version removed in the
   * middle of an upgrade must finish the upgrade, not take the members already upgraded back a minor (etcd cannot
   * go back). A cluster that has not run yet starts with the operator's default.
   */
  static EtcdVersion of(EtcdCluster cluster, EtcdVersion operatorDefault) {
    return EtcdVersion.parse(cluster.getSpec().getVersion())
        .or(() -> Optional.ofNullable(cluster.getStatus()).map(EtcdClusterStatus::getMembers).orElse(List.of())
            .stream().map(MemberStatus::getVersion).map(EtcdVersion::parse).flatMap(Optional::stream)
            .max(Comparator.naturalOrder()))
        .or(() -> Optional.ofNullable(cluster.getStatus()).map(EtcdClusterStatus::getCurrentVersion)
            .flatMap(EtcdVersion::parse))
        .orElse(operatorDefault);
  }
}
