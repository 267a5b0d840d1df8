package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.resources.ClusterNames;
import dev.etcdoperator.resources.OperatorLeaseBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fences each cluster to one operator installation: the operator changes a cluster only while it holds the cluster's
 * Lease ({@code <cluster>-operator}). Another installation (a second install with a lease of its own, an operator run
 * from a laptop) finds it held and changes nothing until the holder has not renewed it for its whole duration.
 * Leader election fences the replicas of one installation; this fences installations from each other.
 */
final class ClusterLease {
  /** The Lease is held by {@code holder}, who renewed it last, until {@code until}. */
  record HeldElsewhere(String holder, Instant until) {}

  /** How long to look away after losing a race for the Lease, before reading it again. */
  private static final Duration AFTER_CONFLICT = Duration.ofSeconds(2);

  private final KubernetesClient client;
  private final String installation;
  private final Duration duration;
  private final Clock clock;
  /** When this operator last renewed each cluster's Lease (by cluster UID): renewed again after a third of it. */
  private final Map<String, Instant> renewed = new ConcurrentHashMap<>();

  ClusterLease(KubernetesClient client, String installation, Duration duration, Clock clock) {
    this.client = client;
    this.installation = installation;
    this.duration = duration;
    this.clock = clock;
  }

  /** Takes or renews the cluster's Lease; empty when this installation holds it now. */
  Optional<HeldElsewhere> claim(EtcdCluster cluster) {
    String uid = cluster.getMetadata().getUid();
    Instant now = clock.instant();
    Instant last = renewed.get(uid);
    if (last != null && now.isBefore(last.plus(duration.dividedBy(3)))) {
      return Optional.empty();
    }
    renewed.remove(uid);
    String ns = cluster.getMetadata().getNamespace();
    Lease live = client.leases().inNamespace(ns).withName(ClusterNames.of(cluster).operatorLease()).get();
    try {
      if (live == null) {
        client.resource(OperatorLeaseBuilder.build(cluster, installation, duration, now, now, 0)).create();
      } else {
        LeaseSpec spec = live.getSpec();
        boolean ours = installation.equals(spec.getHolderIdentity());
        Instant until = Optional.ofNullable(spec.getRenewTime()).map(t -> t.toInstant()).orElse(Instant.EPOCH)
            .plusSeconds(Optional.ofNullable(spec.getLeaseDurationSeconds()).orElse(0));
        if (!ours && now.isBefore(until)) {
          return Optional.of(new HeldElsewhere(spec.getHolderIdentity(), until));
        }
        Instant acquired = ours && spec.getAcquireTime() != null ? spec.getAcquireTime().toInstant() : now;
        int transitions = Optional.ofNullable(spec.getLeaseTransitions()).orElse(0) + (ours ? 0 : 1);
        Lease next = OperatorLeaseBuilder.build(cluster, installation, duration, acquired, now, transitions);
        next.getMetadata().setResourceVersion(live.getMetadata().getResourceVersion());
        client.resource(next).update();
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return Optional.of(new HeldElsewhere("another installation, which claimed it at the same time",
            now.plus(AFTER_CONFLICT)));
      }
      throw e;
    }
    renewed.put(uid, now);
    return Optional.empty();
  }

  /** The cluster is gone (its Lease goes with it). */
  void forget(EtcdCluster cluster) {
    renewed.remove(cluster.getMetadata().getUid());
  }
}
