package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.config.OperatorConfig;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fences each cluster to one operator installation: the operator changes a cluster only while it holds the cluster's
 * Lease ({@code <cluster>-operator}). Another installation (a second install with a lease of its own, an operator run
 * from a laptop) finds it held and changes nothing while the holder is alive. Leader election fences the replicas of
 * one installation; this fences installations from each other.
 *
 * <p>How "alive" is told, so that idle clusters cost no requests: an installation with leader election (identity
 * {@code <namespace>/<leader Lease>}) is alive while its leader Lease is renewed, which its leader does every few
 * seconds whatever the number of clusters; so it writes a cluster's Lease once, when it takes the cluster up, and never
 * renews it. An installation without leader election ({@code unelected/<name>}) has no such Lease: it renews each
 * cluster's Lease after a third of its duration, and is alive while that is recent, or until it gives the Leases up
 * when it stops.
 */
final class ClusterLease {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterLease.class);
  /** The Lease is held by {@code holder}, who renewed it last, until {@code until}. */
  record HeldElsewhere(String holder, Instant until) {}

  /** How long to look away after losing a race for the Lease, before reading it again. */
  private static final Duration AFTER_CONFLICT = Duration.ofSeconds(2);

  private final KubernetesClient client;
  private final String installation;
  private final Duration duration;
  private final Clock clock;
  /**
   * The Leases this operator holds, by cluster UID, with when it last wrote each: without leader election, renewed
   * again after a third of its duration.
   */
  private final Map<String, Held> held = new ConcurrentHashMap<>();

  private record Held(String namespace, String lease, Instant renewed) {}

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
    Held last = held.get(uid);
    if (last != null && (leaderLeaseOf(installation).isPresent()
        || now.isBefore(last.renewed().plus(duration.dividedBy(3))))) {
      return Optional.empty();
    }
    held.remove(uid);
    String ns = cluster.getMetadata().getNamespace();
    String name = ClusterNames.of(cluster).operatorLease();
    Lease live = client.leases().inNamespace(ns).withName(name).get();
    try {
      if (live == null) {
        client.resource(OperatorLeaseBuilder.build(cluster, installation, duration, now, now, 0)).create();
      } else {
        LeaseSpec spec = live.getSpec();
        boolean ours = installation.equals(spec.getHolderIdentity());
        boolean released = spec.getHolderIdentity() == null || spec.getHolderIdentity().isBlank();
        if (!ours && !released) {
          Optional<HeldElsewhere> elsewhere = heldElsewhere(spec, now);
          if (elsewhere.isPresent()) {
            return elsewhere;
          }
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
    held.put(uid, new Held(ns, name, now));
    return Optional.empty();
  }

  /**
   * Gives up the clusters' Leases when the operator stops, if it runs without leader election: such an installation
   * is named after its pod, so the pod that replaces it is another installation, which would otherwise wait for each
   * cluster until its Lease ran out (up to its duration). With leader election the installation outlives its pods and
   * nothing is given up. A Lease another installation has taken meanwhile is left alone (the write is conditional on
   * the version read).
   */
  void releaseAll() {
    if (leaderLeaseOf(installation).isPresent()) {
      return;
    }
    for (Held lease : held.values()) {
      try {
        Lease live = client.leases().inNamespace(lease.namespace()).withName(lease.lease()).get();
        if (live != null && live.getSpec() != null && installation.equals(live.getSpec().getHolderIdentity())) {
          live.getSpec().setHolderIdentity(null);
          client.resource(live).update();
        }
      } catch (KubernetesClientException e) {
        // Then the next installation waits for this one to run out, as it would have without the release.
        LOG.warn("cannot give up Lease {}/{}: {}", lease.namespace(), lease.lease(), e.getMessage());
      }
    }
    held.clear();
  }

  /** Whether the holder of a cluster's Lease is alive, by its leader Lease if it has one, else by its renewals. */
  private Optional<HeldElsewhere> heldElsewhere(LeaseSpec spec, Instant now) {
    String holder = spec.getHolderIdentity();
    Instant until = expiry(spec);
    Optional<String[]> leaderLease = leaderLeaseOf(holder);
    if (leaderLease.isPresent()) {
      try {
        Lease leader = client.leases().inNamespace(leaderLease.get()[0]).withName(leaderLease.get()[1]).get();
        if (leader != null && leader.getSpec() != null && leader.getSpec().getHolderIdentity() != null
            && !leader.getSpec().getHolderIdentity().isBlank() && expiry(leader.getSpec()).isAfter(until)) {
          until = expiry(leader.getSpec());
        }
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_FORBIDDEN) {
          throw e;
        }
        // Not allowed to look (a namespaced install): the holder may well be alive, so never take over.
        return Optional.of(new HeldElsewhere(holder + " (whose leader Lease this installation may not read: once "
            + "that installation is gone, delete the cluster's Lease to move the cluster here)", now.plus(duration)));
      }
    }
    return now.isBefore(until) ? Optional.of(new HeldElsewhere(holder, until)) : Optional.empty();
  }

  private static Instant expiry(LeaseSpec spec) {
    return Optional.ofNullable(spec.getRenewTime()).map(t -> t.toInstant()).orElse(Instant.EPOCH)
        .plusSeconds(Optional.ofNullable(spec.getLeaseDurationSeconds()).orElse(0));
  }

  /**
   * The namespace and name of the leader Lease of an installation with leader election ({@code <namespace>/<name>});
   * empty for one without ({@code unelected/<name>}).
   */
  static Optional<String[]> leaderLeaseOf(String installation) {
    String[] parts = installation == null ? new String[0] : installation.split("/", -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()
        || OperatorConfig.UNELECTED.equals(parts[0])) {
      return Optional.empty();
    }
    return Optional.of(parts);
  }

  /** The cluster is gone (its Lease goes with it). */
  void forget(EtcdCluster cluster) {
    held.remove(cluster.getMetadata().getUid());
  }
}
