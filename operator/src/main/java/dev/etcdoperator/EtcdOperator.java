package dev.etcdoperator;

import dev.etcdoperator.support.FileTree;
import dev.etcdoperator.support.ManagedFieldsFreeCache;
import dev.etcdoperator.access.EtcdClients;
import dev.etcdoperator.access.MemberEndpoints;
import dev.etcdoperator.backup.EtcdBackupReconciler;
import dev.etcdoperator.backup.SnapshotStreaming;
import dev.etcdoperator.cluster.EtcdClusterReconciler;
import dev.etcdoperator.cluster.model.FaultPoints;
import dev.etcdoperator.config.OperatorConfig;
import dev.etcdoperator.metrics.OperatorMeters;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.Set;

/**
 * The running operator: JOSDK with our reconcilers on a given client. The entry point and the tests build it the
 * same way; only the member endpoints differ in tests, which point at etcd processes they started.
 */
public final class EtcdOperator implements AutoCloseable {
  /** The User-Agent of the operator's requests to the API server: who did what shows in its audit log. */
  public static final String USER_AGENT = "etcd-operator";
  private static final Logger LOG = LoggerFactory.getLogger(EtcdOperator.class);
  private static final Duration LEASE_DURATION = Duration.ofSeconds(15);
  private static final Duration RENEW_DEADLINE = Duration.ofSeconds(10);
  private static final Duration RETRY_PERIOD = Duration.ofSeconds(2);
  /** Size of one snapshot part; a running backup holds at most MultipartUpload.MAX_PARTS_HELD of them. */
  private static final int BACKUP_PART_SIZE = SnapshotStreaming.DEFAULT_PART_SIZE;
  /** etcd's largest database (8 GiB) at a slow 10 MB/s takes about 15 minutes. */
  private static final Duration SNAPSHOT_DEADLINE = Duration.ofMinutes(30);
  /**
   * Backups running at once across all clusters (the others queue): with MultipartUpload.MAX_PARTS_HELD part
   * buffers each, at most 2 x 3 x BACKUP_PART_SIZE of heap (60 MiB), whatever the number of clusters or their size.
   */
  private static final int MAX_CONCURRENT_BACKUPS = 2;

  /** A reconcile running this long holds its thread for good: the liveness probe fails and the pod restarts. */
  private static final Duration STUCK_AFTER = Duration.ofMinutes(10);

  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicBoolean leading = new AtomicBoolean();
  private final Runnable releaseLeaderLease;
  private final EtcdClusterReconciler reconciler;
  private final ReconcileWatchdog watchdog;
  private final Operator operator;
  private final MemberEndpoints memberEndpoints;
  private final EtcdClients etcdClients;
  /** Meters this operator made for itself (when given none), closed with it; null when they were given. */
  private final OperatorMeters ownMeters;
  /** Where the operator's client certificates are written for jetcd; this process's own, removed on close. */
  private final Path clientCertificateDir;

  /**
   * @param onFatalStop what to do when this operator can no longer do its work while running (not when it is
   *     closed): another replica took the lease, or a watch of the API server stopped for good. The entry point
   *     exits: no two replicas ever reconcile the same cluster, and a restarted pod watches afresh
   */
  public EtcdOperator(KubernetesClient client, OperatorConfig config, MemberEndpoints memberEndpoints, Clock clock,
      Runnable onFatalStop) {
    this(client, config, memberEndpoints, clock, onFatalStop, FaultPoints.NONE);
  }

  /** As the other constructor, with fault points where tests make the operator die midway (see FaultPoints). */
  public EtcdOperator(KubernetesClient client, OperatorConfig config, MemberEndpoints memberEndpoints, Clock clock,
      Runnable onFatalStop, FaultPoints faults) {
    // Meters on a registry of its own, which nothing reads: for callers that serve no /metrics.
    this(client, config, memberEndpoints, clock, onFatalStop, faults, new OperatorMeters(new SimpleMeterRegistry(),
        clock), true);
  }

  /** As the other constructors, with the meters to report to (their registry is what /metrics serves). */
  public EtcdOperator(KubernetesClient client, OperatorConfig config, MemberEndpoints memberEndpoints, Clock clock,
      Runnable onFatalStop, FaultPoints faults, OperatorMeters meters) {
    this(client, config, memberEndpoints, clock, onFatalStop, faults, meters, false);
  }

  private EtcdOperator(KubernetesClient client, OperatorConfig config, MemberEndpoints memberEndpoints, Clock clock,
      Runnable onFatalStop, FaultPoints faults, OperatorMeters reportTo, boolean ownsMeters) {
    this.ownMeters = ownsMeters ? reportTo : null;
    this.releaseLeaderLease = () -> LeaderLeaseRelease.release(client, config.leaseNamespace(), config.leaseName(),
        config.leaderIdentity(), clock);
    this.memberEndpoints = memberEndpoints;
    this.watchdog = new ReconcileWatchdog(clock, STUCK_AFTER,
        MicrometerMetrics.withoutPerResourceMetrics(reportTo.registry()));
    this.etcdClients = new EtcdClients(clock);
    this.clientCertificateDir = privateTempDir();
    this.operator = new Operator(o -> {
      o.withKubernetesClient(client).withCloseClientOnStop(false).withMetrics(watchdog)
          .withExecutorService(ReconcileThreads.create(ReconcileThreads.MAX, ReconcileThreads.IDLE));
      // JOSDK's default exits the JVM when a watch stops for good; in this process that is the entry point's call
      // (it exits, and the Deployment restarts the pod), never a library's, and never while closing.
      o.withInformerStoppedHandler((informer, error) -> {
        if (error != null && !closing.get()) {
          LOG.error("a watch of the API server stopped for good ({}); stopping", error.toString());
          onFatalStop.run();
        }
      });
      if (config.leaderElection()) {
        // JOSDK would call System.exit itself on stop, also from inside our shutdown hook, where exit blocks
        // forever; we exit only when leadership is lost while still running.
        LeaderCallbacks callbacks = new LeaderCallbacks(() -> {
          leading.set(true);
          LOG.info("leading as {}", config.leaderIdentity());
        },
            () -> {
              if (!closing.get()) {
                LOG.error("lost leadership to another replica; stopping");
                onFatalStop.run();
              }
            },
            leader -> LOG.info("leader is {}", leader));
        o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(config.leaseName(),
            config.leaseNamespace(), LEASE_DURATION, RENEW_DEADLINE, RETRY_PERIOD, config.leaderIdentity(),
            callbacks, false));
      }
    });
    this.reconciler = new EtcdClusterReconciler(client, memberEndpoints, etcdClients,
        new EtcdClusterReconciler.Settings(config.defaultEtcdVersion(), config.etcdImageRepository(),
            config.resyncInterval(), config.etcdRequestTimeout(), config.clusterDomain(), clientCertificateDir,
            config.operatorImage(), config.replaceFailingMemberAfter(), config.podIpFamily(), config.installation(),
            config.clusterLeaseDuration()),
        clock, faults, reportTo.reconcilers());
    var backups = new EtcdBackupReconciler(client, memberEndpoints, new EtcdBackupReconciler.Settings(
        BACKUP_PART_SIZE, SNAPSHOT_DEADLINE, config.etcdRequestTimeout(), clientCertificateDir.resolve("backups"),
        MAX_CONCURRENT_BACKUPS),
        clock, reportTo.reconcilers().events());
    Set<String> namespaces = config.watchNamespaces();
    operator.register(reconciler, o -> {
      o.withItemStore(ManagedFieldsFreeCache.store());
      if (!namespaces.isEmpty()) {
        o.settingNamespaces(namespaces);
      }
    });
    operator.register(backups, o -> {
      o.withItemStore(ManagedFieldsFreeCache.store());
      if (!namespaces.isEmpty()) {
        o.settingNamespaces(namespaces);
      }
    });
  }

  public void start() {
    operator.start();
  }

  /** For the liveness probe: false once a reconcile has held its thread for {@link #STUCK_AFTER}, saying which. */
  public boolean isLive() {
    Optional<ReconcileWatchdog.Running> stuck = watchdog.stuck();
    stuck.ifPresent(r -> LOG.error("not live: the {} reconcile of {} has been running since {}", r.controller(),
        r.resource(), r.since()));
    return stuck.isEmpty();
  }

  @Override
  public void close() {
    closing.set(true);
    operator.stop();
    reconciler.releaseClusterLeases();
    etcdClients.close();
    memberEndpoints.close();
    if (ownMeters != null) {
      ownMeters.close();
    }
    deleteRecursively(clientCertificateDir);
    if (leading.get()) {
      releaseLeaderLease.run(); // last: nothing of this operator reconciles any more
    }
  }

  private static Path privateTempDir() {
    try {
      return Files.createTempDirectory("etcd-operator-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a private directory for client certificates", e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try {
      FileTree.delete(dir);
    } catch (IOException e) {
      LOG.warn("could not remove {}: {}", dir, e.getMessage());
    }
  }
}
