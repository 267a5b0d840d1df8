package dev.etcdoperator.metrics;

import dev.etcdoperator.support.EventRecorder;

/** What the reconcilers feed the metrics with: the status of each cluster, and the Events they record. */
public record ReconcilerMetrics(ClusterReporter clusters, EventRecorder.Listener events) {
  public static final ReconcilerMetrics NONE = new ReconcilerMetrics(ClusterReporter.NONE,
      EventRecorder.Listener.NONE);
}
