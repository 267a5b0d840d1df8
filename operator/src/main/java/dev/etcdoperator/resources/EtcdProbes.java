package dev.etcdoperator.resources;

import dev.etcdoperator.support.EtcdVersion;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;

/**
 * Probes of the etcd container, all on the plain-HTTP metrics listener (port 2381) so they keep working once
 * client traffic requires TLS client certificates.
 *
 * <p>Version facts (etcd CHANGELOG-3.5 "v3.5.11: Add livez/readyz HTTP endpoints", etcd-io/etcd#17039, corrected
 * from 3.5.12 to 3.5.11 by etcd-io/etcd#17678; kubeadm switched its probes on port 2381 to them for etcd >= 3.5.11,
 * kubernetes/kubernetes#124465): /livez and /readyz exist from 3.5.11 and in 3.6, served on the metrics listener too
 * (3.6 embed.serveMetrics registers etcdhttp.HandleHealth, which includes them). 3.4 got a backport in 3.4.29
 * (etcd-io/etcd#17128), but we could not confirm that 3.4 serves them on the metrics listener, so every 3.4 uses
 * /health and a TCP liveness check. Since 3.5.19 /readyz also fails on a learner (etcd-io/etcd#19280): a learner
 * pod is not Ready until promoted, so promotion must not wait for pod readiness.
 */
public final class EtcdProbes {
  public static final String READYZ = "/readyz";
  public static final String LIVEZ = "/livez";
  /**
   * /health fails on any alarm; NOSPACE leaves a member serving reads, so it must not take the member out of the
   * client Service nor stall a rollout (raising the quota is the way out). The exclude parameter exists since etcd
   * 3.4.16 and 3.5.0 (etcd-io/etcd#12880, #13467); older versions ignore it.
   */
  public static final String HEALTH = "/health?exclude=NOSPACE";

  private EtcdProbes() {}

  public static boolean servesLivezAndReadyz(EtcdVersion version) {
    return version.atLeast(3, 6, 0) || (version.isMinor(3, 5) && version.atLeast(3, 5, 11));
  }

  /**
   * Ready = this member can serve linearizable requests. /health (older versions) also needs a quorum, and fails on
   * alarms other than NOSPACE (CORRUPT: the member's data is suspect).
   */
  public static Probe readiness(EtcdVersion version) {
    // Checked every 2 s so a started member is Ready (and the cluster moves on) soon after it can serve; five
    // failures in a row (10 s) before not Ready, so a leader election does not empty the client Service.
    return http(servesLivezAndReadyz(version) ? READYZ : HEALTH)
        .withPeriodSeconds(2)
        .withTimeoutSeconds(5)
        .withFailureThreshold(5)
        .withSuccessThreshold(1)
        .build();
  }

  /**
   * Liveness must not need a quorum: restarting members because the cluster lost its leader would only make things
   * worse. /livez checks the local member only; without it, a TCP check that the listener is up. Thresholds as
   * kubeadm's (80 s of failures) so a slow defragmentation does not get the member killed.
   */
  public static Probe liveness(EtcdVersion version) {
    return livenessCheck(version)
        .withPeriodSeconds(10)
        .withTimeoutSeconds(15)
        .withFailureThreshold(8)
        .withSuccessThreshold(1)
        .build();
  }

  /**
   * Holds liveness off while a member replays its WAL and loads a large database after a restart: up to 5 minutes.
   * The metrics listener only opens once the server has started, so even the TCP variant means "loaded".
   */
  public static Probe startup(EtcdVersion version) {
    // Every second: readiness and liveness wait for the first success, so a member that starts in under a second
    // is not left waiting for a slow first tick. Only runs until it passes once.
    return livenessCheck(version)
        .withPeriodSeconds(1)
        .withTimeoutSeconds(5)
        .withFailureThreshold(300)
        .withSuccessThreshold(1)
        .build();
  }

  private static ProbeBuilder livenessCheck(EtcdVersion version) {
    if (servesLivezAndReadyz(version)) {
      return http(LIVEZ);
    }
    return new ProbeBuilder()
        .withNewTcpSocket()
        .withPort(new IntOrString(ClusterNames.METRICS_PORT))
        .endTcpSocket();
  }

  private static ProbeBuilder http(String path) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withScheme("HTTP")
        .withPath(path)
        .withPort(new IntOrString(ClusterNames.METRICS_PORT))
        .endHttpGet();
  }
}
