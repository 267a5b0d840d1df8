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
 * cluster's Lease after a third of its duration, and is alive while that is recent.
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
  /**
   * When this operator last wrote each cluster's Lease (by cluster UID): without leader election, renewed again after
   * a third of its duration.
   */
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
    if (last != null && (leaderLeaseOf(installation).isPresent() || now.isBefore(last.plus(duration.dividedBy(3))))) {
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
        if (!ours) {
          Optional<HeldElsewhere> held = heldElsewhere(spec, now);
          if (held.isPresent()) {
            return held;
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
    renewed.put(uid, now);
    return Optional.empty();
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
    renewed.remove(cluster.getMetadata().getUid());
  }
}
