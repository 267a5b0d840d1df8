package dev.etcdoperator;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.ZonedDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the leader Lease up when a leading operator shuts down, so a standby takes over at its next try (every 2 s)
 * instead of when the Lease runs out (15 s after the last renewal): an upgrade of the operator's Deployment would
 * otherwise leave every cluster unattended that long. JOSDK never releases it (its elector is built with
 * releaseOnCancel off). Called once the operator's reconciles have stopped, as the process's last step; the write is
 * conditional on the Lease's resource version, so it never takes a Lease another replica holds already.
 */
final class LeaderLeaseRelease {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderLeaseRelease.class);

  private LeaderLeaseRelease() {}

  /** @return whether the Lease was held by {@code identity} and is now free */
  static boolean release(KubernetesClient client, String namespace, String name, String identity, Clock clock) {
    try {
      Lease lease = client.leases().inNamespace(namespace).withName(name).get();
      if (lease == null || lease.getSpec() == null || !identity.equals(lease.getSpec().getHolderIdentity())) {
        return false;
      }
      // As client-go and Fabric8 release a lock: no holder, a one-second duration, renewed now.
      ZonedDateTime now = ZonedDateTime.now(clock);
      lease.getSpec().setHolderIdentity(null);
      lease.getSpec().setLeaseDurationSeconds(1);
      lease.getSpec().setAcquireTime(now);
      lease.getSpec().setRenewTime(now);
      client.leases().inNamespace(namespace).resource(lease).update();
      LOG.info("gave up the leader Lease {}/{}", namespace, name);
      return true;
    } catch (KubernetesClientException e) {
      // Changed meanwhile (a conflict) or unreachable: a standby takes over when the Lease runs out, as before.
      LOG.warn("leader Lease {}/{} not given up: {}", namespace, name, e.getMessage());
      return false;
    }
  }
}
