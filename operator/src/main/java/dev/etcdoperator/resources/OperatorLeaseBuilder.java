package dev.etcdoperator.resources;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * coordination.k8s.io/v1 Lease naming the operator installation that may change a cluster. Owned by the cluster, so
 * it goes with it.
 */
public final class OperatorLeaseBuilder {
  private OperatorLeaseBuilder() {}

  /**
   * @param holder the installation holding the lease
   * @param acquired when this holder first took it
   * @param transitions how often the lease changed hands
   */
  public static Lease build(EtcdCluster cluster, String holder, Duration duration, Instant acquired, Instant renewed,
      int transitions) {
    return new LeaseBuilder()
        .withMetadata(OwnedMetadata.of(cluster, ClusterNames.of(cluster).operatorLease()))
        .withNewSpec()
        .withHolderIdentity(holder)
        .withLeaseDurationSeconds((int) duration.toSeconds())
        .withAcquireTime(acquired.atZone(ZoneOffset.UTC))
        .withRenewTime(renewed.atZone(ZoneOffset.UTC))
        .withLeaseTransitions(transitions)
        .endSpec()
        .build();
  }
}
