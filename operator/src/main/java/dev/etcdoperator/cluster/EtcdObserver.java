package dev.etcdoperator.cluster;

import dev.etcdoperator.access.ClientPems;
import dev.etcdoperator.access.EtcdClients;
import dev.etcdoperator.access.MemberEndpoints;
import dev.etcdoperator.access.OperatorClientFiles;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.cluster.model.EtcdView;
import dev.etcdoperator.cluster.tls.TlsState;
import dev.etcdoperator.etcd.EtcdClient;
import dev.etcdoperator.etcd.EtcdConnection;
import dev.etcdoperator.etcd.EtcdUnavailableException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Looks at etcd itself, through the member pods that run, with the operator's client certificate. */
final class EtcdObserver {
  private final MemberEndpoints memberEndpoints;
  private final EtcdClients etcdClients;
  private final OperatorClientFiles clientFiles;
  private final Duration requestTimeout;

  EtcdObserver(MemberEndpoints memberEndpoints, EtcdClients etcdClients, OperatorClientFiles clientFiles,
      Duration requestTimeout) {
    this.memberEndpoints = memberEndpoints;
    this.etcdClients = etcdClients;
    this.clientFiles = clientFiles;
    this.requestTimeout = requestTimeout;
  }

  /** The cluster is gone: its connections to the members close now, not when they would have idled out. */
  void forget(EtcdCluster cluster) {
    etcdClients.forget(EtcdClusterReconciler.key(cluster));
  }

  EtcdView observe(EtcdCluster cluster, List<Pod> pods, Optional<TlsState> tls) {
    List<Pod> running = pods.stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase())).toList();
    if (running.isEmpty()) {
      return new EtcdView.NotContacted();
    }
    Map<String, URI> endpoints;
    try {
      endpoints = memberEndpoints.clientUrls(cluster, running);
    } catch (KubernetesClientException e) {
      return new EtcdView.Unreachable("cannot reach member pods: " + e.getMessage());
    }
    List<URI> urls = endpoints.values().stream().sorted().toList();
    Optional<ClientPems> credentials = tls.flatMap(TlsState::operatorClient);
    if (credentials.isEmpty() && urls.stream().anyMatch(u -> "https".equals(u.getScheme()))) {
      return new EtcdView.NotAuthenticated(tls.map(TlsState::message).filter(m -> !m.isBlank())
          .orElse("the operator has no client certificate for this cluster"));
    }
    try {
      EtcdConnection connection = credentials.isPresent()
          ? EtcdConnection.withTls(urls, requestTimeout, clientFiles.write(
              cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(), credentials.get()))
          : EtcdConnection.plain(urls, requestTimeout);
      EtcdClient client = etcdClients.forCluster(EtcdClusterReconciler.key(cluster), connection);
      return new EtcdView.Reached(client.observe(urls), endpoints, client);
    } catch (EtcdUnavailableException | IllegalArgumentException e) {
      return new EtcdView.Unreachable(e.getMessage());
    }
  }
}
