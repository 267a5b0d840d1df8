package dev.etcdoperator.e2e;

import dev.etcdoperator.EtcdOperator;
import dev.etcdoperator.cluster.DirectMemberEndpoints;
import dev.etcdoperator.config.OperatorConfig;
import dev.etcdoperator.support.EtcdVersion;
import dev.etcdoperator.testing.TestApiServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;

/**
 * The {@code local} backend: the stand-in API server (own process), the StatefulSet controller, kubelet and
 * garbage-collector stand-ins, and the real operator in this JVM (restartable: {@link #stopOperator},
 * {@link #startOperator}), which reaches members exactly as in a cluster ({@link DirectMemberEndpoints}:
 * {@code https://<pod>.<cluster>-peer.<ns>.svc.cluster.local:2379}). Those names
 * resolve through {@link ClusterDns}' hosts file, which this JVM must use as its resolver
 * ({@code -Djdk.net.hosts.file}, set by e2e/pom.xml): so TLS hostname verification checks the names the operator's
 * server certificates carry (the peer wildcards), with no test-only trust shortcut.
 */
final class LocalCluster implements AutoCloseable {
  static final String CLUSTER_DOMAIN = "cluster.local";
  /** The etcd on PATH (Debian's etcd-server) serves every image tag; scenarios run this version. */
  static final EtcdVersion ETCD_VERSION = new EtcdVersion(3, 4, 23);

  private final String namespace;
  private final Path workDir;
  private final TestApiServer apiServer;
  private final Kubelet kubelet;
  private final StatefulSetController statefulSets;
  private final GarbageCollector garbageCollector;
  private final OperatorConfig config;
  private volatile EtcdOperator operator;

  LocalCluster(String name, String namespace) {
    this.namespace = namespace;
    this.workDir = Path.of(System.getProperty("e2e.work.dir", "target/e2e-work"))
        .resolve(name + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
        .toAbsolutePath();
    Path hostsFile = Path.of(required("e2e.hosts.file"));
    if (!hostsFile.toAbsolutePath().equals(Path.of(required("jdk.net.hosts.file")).toAbsolutePath())) {
      throw new IllegalStateException("e2e.hosts.file and jdk.net.hosts.file must name the same file");
    }
    try {
      Files.createDirectories(workDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ClusterDns dns = new ClusterDns(hostsFile, CLUSTER_DOMAIN);
    apiServer = TestApiServer.start();
    try {
      apiServer.installCrds();
      KubernetesClient client = apiServer.client();
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
          .build()).create();
      PodVolumes volumes = new PodVolumes(workDir.resolve("pvcs"));
      kubelet = new Kubelet(apiServer.newClient(), dns, new PodAddresses(), volumes, workDir);
      kubelet.start();
      statefulSets = new StatefulSetController(apiServer.newClient(), volumes, kubelet);
      statefulSets.start();
      garbageCollector = new GarbageCollector(apiServer.newClient());
      garbageCollector.start();
      config = new OperatorConfig(Set.of(), ETCD_VERSION, "gcr.io/etcd-development/etcd",
          OperatorConfig.MemberAccess.DIRECT, Duration.ofSeconds(5), Duration.ofSeconds(5), 0, false,
          "etcd-operator-leader", namespace, "e2e-operator", CLUSTER_DOMAIN);
      startOperator();
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  /** Starts a new operator instance (own client, own member connections) against the same API server. */
  synchronized void startOperator() {
    if (operator != null) {
      throw new IllegalStateException("the operator is running");
    }
    EtcdOperator fresh = new EtcdOperator(apiServer.newClient(), config, new DirectMemberEndpoints(CLUSTER_DOMAIN),
        Clock.systemUTC(), () -> {
          throw new AssertionError("leader election is off in e2e");
        });
    fresh.start();
    operator = fresh;
  }

  /** Stops the running operator (as a pod being killed would: nothing of its in-memory state survives). */
  synchronized void stopOperator() {
    EtcdOperator running = operator;
    operator = null;
    if (running != null) {
      running.close();
    }
  }

  Kubelet kubelet() {
    return kubelet;
  }

  private static String required(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException("system property " + property + " is not set: run through e2e/pom.xml "
          + "(surefire sets -Djdk.net.hosts.file and -De2e.hosts.file to the stand-in's DNS hosts file)");
    }
    return value;
  }

  KubernetesClient client() {
    return apiServer.client();
  }

  String namespace() {
    return namespace;
  }

  Path workDir() {
    return workDir;
  }

  Path logsDir() {
    return kubelet.logsDir();
  }

  /** Every container process started in this run (alive or not). */
  List<ContainerProcess> processes() {
    return kubelet == null ? List.of() : kubelet.processes();
  }

  /** Operator first (so it does not react to the teardown), then the stand-ins, which SIGKILL every process. */
  @Override
  public void close() {
    try {
      stopOperator();
    } finally {
      try {
        if (garbageCollector != null) {
          garbageCollector.close();
        }
        if (statefulSets != null) {
          statefulSets.close();
        }
        if (kubelet != null) {
          kubelet.close();
        }
      } finally {
        apiServer.close();
      }
    }
  }
}
