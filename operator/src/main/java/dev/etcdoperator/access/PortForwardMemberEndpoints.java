package dev.etcdoperator.access;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.resources.ClusterNames;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reaches members through port-forwards via the API server, for an operator running outside the cluster. One local
 * forward (on 127.0.0.1 only) per pod incarnation (uid), reused across reconciles. A forward is closed when its pod is
 * replaced, when its pod is no longer among the cluster's running pods, and when it has not been handed out for
 * {@link #IDLE_LIMIT} (which is how the forwards of a deleted cluster go: nothing reconciles it any more). The members'
 * certificates name localhost and 127.0.0.1, so TLS verification still holds.
 */
public final class PortForwardMemberEndpoints implements MemberEndpoints {
  static final Duration IDLE_LIMIT = Duration.ofMinutes(10);
  private static final Logger LOG = LoggerFactory.getLogger(PortForwardMemberEndpoints.class);

  private record Key(String namespace, String cluster, String pod) {}

  private record Forward(String podUid, LoopbackPortForward forward, Instant lastUsed) {}

  private final KubernetesClient client;
  private final Clock clock;
  private final Map<Key, Forward> forwards = new ConcurrentHashMap<>();

  public PortForwardMemberEndpoints(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  @Override
  public Map<String, URI> clientUrls(EtcdCluster cluster, List<Pod> runningPods) {
    closeIdle();
    String namespace = cluster.getMetadata().getNamespace();
    String clusterName = cluster.getMetadata().getName();
    Set<String> running = runningPods.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
    closeWhere(k -> k.namespace().equals(namespace) && k.cluster().equals(clusterName)
        && !running.contains(k.pod()), "its pod is not running");

    String scheme = MemberEndpoints.scheme(cluster);
    Map<String, URI> urls = new HashMap<>();
    for (Pod pod : runningPods) {
      String podNamespace = Optional.ofNullable(pod.getMetadata().getNamespace()).orElse(namespace);
      String podName = pod.getMetadata().getName();
      String uid = pod.getMetadata().getUid();
      Forward current = forwards.compute(new Key(namespace, clusterName, podName), (k, old) -> {
        Instant now = clock.instant();
        if (old != null && Objects.equals(old.podUid(), uid) && old.forward().isAlive()) {
          return new Forward(uid, old.forward(), now);
        }
        if (old != null) {
          old.forward().close();
        }
        return new Forward(uid, open(podNamespace, podName), now);
      });
      urls.put(podName, URI.create(scheme + "://127.0.0.1:" + current.forward().localPort()));
    }
    return urls;
  }

  private LoopbackPortForward open(String namespace, String podName) {
    String target = namespace + "/" + podName + ":" + ClusterNames.CLIENT_PORT;
    try {
      return LoopbackPortForward.open(target, (in, out) -> client.pods().inNamespace(namespace)
          .withName(podName).portForward(ClusterNames.CLIENT_PORT, in, out));
    } catch (IOException e) {
      throw new KubernetesClientException("cannot listen on 127.0.0.1 to forward to " + target + ": "
          + e.getMessage(), e);
    }
  }

  @Override
  public void forget(String namespace, String clusterName) {
    closeWhere(k -> k.namespace().equals(namespace) && k.cluster().equals(clusterName), "forgotten");
  }

  @Override
  public void close() {
    closeWhere(k -> true, "closing");
  }

  private void closeIdle() {
    Instant cutoff = clock.instant().minus(IDLE_LIMIT);
    forwards.forEach((key, forward) -> {
      // Only if still the same entry: a concurrent clientUrls may just have handed it out again.
      if (forward.lastUsed().isBefore(cutoff) && forwards.remove(key, forward)) {
        LOG.debug("closing the forward to {} (cluster {}/{}): unused since {}", key.pod(), key.namespace(),
            key.cluster(), forward.lastUsed());
        forward.forward().close();
      }
    });
  }

  private void closeWhere(Predicate<Key> which, String why) {
    forwards.forEach((key, forward) -> {
      if (which.test(key) && forwards.remove(key, forward)) {
        LOG.debug("closing the forward to {} (cluster {}/{}): {}", key.pod(), key.namespace(), key.cluster(), why);
        forward.forward().close();
      }
    });
  }
}
