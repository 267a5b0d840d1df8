package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.resources.ClusterNames;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import java.io.IOException;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reaches members through port-forwards via the API server, for an operator running outside the cluster. One
 * forward per pod incarnation (uid), reused across reconciles and closed when the pod is replaced or the cluster
 * is gone. The members' certificates name localhost and 127.0.0.1, so TLS verification still holds.
 */
public final class PortForwardMemberEndpoints implements MemberEndpoints {
  private static final Logger LOG = LoggerFactory.getLogger(PortForwardMemberEndpoints.class);

  private record Forward(String podUid, LocalPortForward forward) {}

  private final KubernetesClient client;
  private final String scheme;
  private final Map<String, Forward> forwards = new ConcurrentHashMap<>();

  public PortForwardMemberEndpoints(KubernetesClient client, String scheme) {
    this.client = client;
    this.scheme = scheme;
  }

  @Override
  public Map<String, URI> clientUrls(EtcdCluster cluster, List<Pod> runningPods) {
    Map<String, URI> urls = new HashMap<>();
    for (Pod pod : runningPods) {
      String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
      Forward current = forwards.compute(key, (k, old) -> {
        if (old != null && old.podUid().equals(pod.getMetadata().getUid()) && old.forward().isAlive()) {
          return old;
        }
        closeQuietly(old);
        LocalPortForward forward = client.pods().inNamespace(pod.getMetadata().getNamespace())
            .withName(pod.getMetadata().getName()).portForward(ClusterNames.CLIENT_PORT);
        return new Forward(pod.getMetadata().getUid(), forward);
      });
      urls.put(pod.getMetadata().getName(), URI.create(scheme + "://127.0.0.1:" + current.forward().getLocalPort()));
    }
    return urls;
  }

  @Override
  public void forget(String namespace, String clusterName) {
    forwards.entrySet().removeIf(e -> {
      boolean ours = e.getKey().matches(Pattern.quote(namespace + "/" + clusterName + "-") + "\\d+");
      if (ours) {
        closeQuietly(e.getValue());
      }
      return ours;
    });
  }

  @Override
  public void close() {
    forwards.values().forEach(PortForwardMemberEndpoints::closeQuietly);
    forwards.clear();
  }

  private static void closeQuietly(Forward forward) {
    if (forward == null) {
      return;
    }
    try {
      forward.forward().close();
    } catch (IOException e) {
      LOG.debug("closing a port-forward failed: {}", e.getMessage());
    }
  }
}
