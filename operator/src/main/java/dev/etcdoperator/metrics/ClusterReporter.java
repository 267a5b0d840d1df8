package dev.etcdoperator.metrics;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;

/** What the EtcdCluster reconciler tells the metrics: the status it computed, and that a cluster is gone. */
public interface ClusterReporter {
  ClusterReporter NONE = new ClusterReporter() {
    @Override
    public void observed(EtcdCluster cluster, EtcdClusterStatus status) {}

    @Override
    public void deleted(EtcdCluster cluster) {}
  };

  /** After each reconcile: {@code status} is what it just computed (the object may still carry the previous one). */
  void observed(EtcdCluster cluster, EtcdClusterStatus status);

  /** The cluster is being deleted: its series go. */
  void deleted(EtcdCluster cluster);
}
