package dev.etcdoperator.cluster.model;

import dev.etcdoperator.etcd.ClusterObservation;
import dev.etcdoperator.etcd.EtcdClient;
import java.net.URI;
import java.util.Map;

/** What the operator could see of etcd itself during one reconcile. */
public sealed interface EtcdView {

  /** No member pod was running, so etcd was not asked. */
  record NotContacted() implements EtcdView {}

  /**
   * Member pods run, but the operator has no client certificate it can use (an unreadable CA, External Secrets that
   * do not fit): etcd was not asked, so nothing is known of its health.
   */
  record NotAuthenticated(String problem) implements EtcdView {}

  /** Member pods run, but no member answered. */
  record Unreachable(String error) implements EtcdView {}

  /** etcd answered; endpoints are keyed by pod name; {@code client} is how to talk to it again. */
  record Reached(ClusterObservation observation, Map<String, URI> endpointsByPod, EtcdClient client)
      implements EtcdView {}
}
