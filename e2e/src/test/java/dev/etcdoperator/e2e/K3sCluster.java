package dev.etcdoperator.e2e;

import dev.etcdoperator.support.IpFamily;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.etcdoperator.EtcdOperator;
import dev.etcdoperator.ResumingWatchHttpClientFactory;
import dev.etcdoperator.cluster.model.FaultPoints;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.access.PortForwardMemberEndpoints;
import dev.etcdoperator.config.OperatorConfig;
import dev.etcdoperator.support.EtcdVersion;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import java.util.Optional;
import java.util.Set;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.dockerclient.DockerClientProviderStrategy;
import org.testcontainers.dockerclient.TransportConfig;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The {@code k3s} backend: a real Kubernetes (K3s in a Testcontainers container), the CRDs from {@code ../crds}, and
 * the real operator in this JVM against it, running real etcd images ({@code gcr.io/etcd-development/etcd}, pulled by
 * K3s' containerd). Pod IPs are not reachable from the test JVM, so the operator reaches members through
 * port-forwards ({@link OperatorConfig.MemberAccess#PORT_FORWARD}, {@link PortForwardMemberEndpoints}), as it does
 * when run outside a cluster; scenarios do the same ({@link #forwardToMember}).
 *
 * <p>Runs only where Docker runs and the K3s image (and Testcontainers' Ryuk image, unless Ryuk is disabled) is
 * already present locally: {@link #unavailableReason()} says why not, without starting any container, so a test can
 * skip before anything is pulled or started. Override the image with {@code -De2e.k3s.image=...}.
 */
final class K3sCluster implements Backend {
  private static final Logger LOG = LoggerFactory.getLogger(K3sCluster.class);
  /** A current K3s of Kubernetes 1.31. */
  static final String DEFAULT_IMAGE = "rancher/k3s:v1.31.4-k3s1";
  /**
   * The reaper Testcontainers 2.0.5 starts before the first container (its {@code RyukContainer} image), unless
   * {@code TESTCONTAINERS_RYUK_DISABLED=true}.
   */
  static final String RYUK_IMAGE = "testcontainers/ryuk:0.14.0";
  static final String CLUSTER_DOMAIN = "cluster.local";

  private final String namespace;
  private final Path workDir;
  private final K3sContainer container;
  private final KubernetesClient client;
  private final String kubeconfig;
  private final OperatorConfig config;
  private final InProcessOperator operator;
  /** Port-forwards to members by pod name, open until {@link #close}. */
  private final Map<String, LocalPortForward> forwards = new ConcurrentHashMap<>();

  static String image() {
    String image = System.getProperty("e2e.k3s.image");
    return image == null || image.isBlank() ? DEFAULT_IMAGE : image.trim();
  }

  /**
   * Why this backend cannot run here, or empty when it can. Never pulls an image and never starts a container:
   * it finds Docker the way Testcontainers does (its provider strategies, which only ping), then asks Docker through
   * a plain client whether the images are present locally, rather than waiting for a pull to time out on a machine
   * with no registry.
   *
   * <p>Not {@code DockerClientFactory.isDockerAvailable()}: in Testcontainers 2.0.5 that calls
   * {@code DockerClientFactory.client()}, which starts Ryuk (a pull of {@value #RYUK_IMAGE}) before returning.
   */
  static Optional<String> unavailableReason() {
    TransportConfig transport;
    try {
      transport = DockerClientFactory.instance().getTransportConfig();
    } catch (RuntimeException e) {
      return Optional.of("K3s backend skipped: Docker is not available on this machine (" + e.getMessage() + ")");
    }
    try (DockerClient docker = DockerClientProviderStrategy.getClientForConfig(transport)) {
      docker.pingCmd().exec();
      for (String image : requiredImages()) {
        if (!present(docker, image)) {
          return Optional.of("K3s backend skipped: image " + image + " is not present locally and no registry is "
              + "reachable to pull it (pull it on a machine with network access and `docker load` it here)");
        }
      }
    } catch (IOException | RuntimeException e) {
      return Optional.of("K3s backend skipped: Docker at " + transport.getDockerHost()
          + " does not answer which images are present: " + e);
    }
    return Optional.empty();
  }

  /** The K3s image first, so the message names it when both are missing. */
  private static List<String> requiredImages() {
    String ryukDisabled = System.getenv("TESTCONTAINERS_RYUK_DISABLED");
    return "true".equalsIgnoreCase(ryukDisabled) ? List.of(image()) : List.of(image(), RYUK_IMAGE);
  }

  /** Whether Docker has the image locally (404 from the image inspect: it does not). */
  private static boolean present(DockerClient docker, String image) {
    try {
      docker.inspectImageCmd(image).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  K3sCluster(String name, String namespace, Duration replaceFailingMemberAfter) {
    this.namespace = namespace;
    this.workDir = Path.of(System.getProperty("e2e.work.dir", "target/e2e-work"))
        .resolve("k3s-" + name + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
        .toAbsolutePath();
    try {
      Files.createDirectories(workDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    container = new K3sContainer(DockerImageName.parse(image()).asCompatibleSubstituteFor("rancher/k3s"));
    KubernetesClient started = null;
    try {
      container.start();
      kubeconfig = container.getKubeConfigYaml();
      started = newClient();
      client = started;
      installCrds();
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
          .build()).createOr(NonDeletingOperation::update);
      config = new OperatorConfig(Set.of(), EtcdVersion.parse(OperatorConfig.DEFAULT_ETCD_VERSION).orElseThrow(),
          "gcr.io/etcd-development/etcd", OperatorConfig.MemberAccess.PORT_FORWARD, Duration.ofSeconds(5),
          Duration.ofSeconds(5), 0, false, "etcd-operator-leader", namespace, "e2e-operator", CLUSTER_DOMAIN,
          OperatorConfig.DEFAULT_OPERATOR_IMAGE,
          replaceFailingMemberAfter, IpFamily.IPV4);
      operator = new InProcessOperator((onFatalStop, faults, meters) -> {
        KubernetesClient operatorClient = newClient();
        return new EtcdOperator(operatorClient, config, new PortForwardMemberEndpoints(operatorClient,
            Clock.systemUTC()), Clock.systemUTC(), onFatalStop, faults, meters);
      });
      startOperator();
    } catch (RuntimeException | Error e) {
      if (started != null) {
        started.close();
      }
      container.stop();
      throw e;
    }
  }

  private KubernetesClient newClient() {
    // as EtcdOperatorMain builds its client
    return new KubernetesClientBuilder().withHttpClientFactory(new ResumingWatchHttpClientFactory())
        .withConfig(Config.fromKubeconfig(kubeconfig)).build();
  }

  /** The CRDs as a user installs them, then until the API server serves them. */
  private void installCrds() {
    Path dir = Path.of(System.getProperty("crds.dir", "../crds"));
    try (var files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml"))
          .sorted().toList()) {
        CustomResourceDefinition crd;
        try (var in = Files.newInputStream(file)) {
          crd = client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
        }
        client.apiextensions().v1().customResourceDefinitions().resource(crd)
            .createOr(NonDeletingOperation::update);
        String crdName = crd.getMetadata().getName();
        await("CRD " + crdName + " Established").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(250))
            .until(() -> established(client.apiextensions().v1().customResourceDefinitions().withName(crdName).get()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the CRDs in " + dir.toAbsolutePath(), e);
    }
  }

  private static boolean established(CustomResourceDefinition crd) {
    return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** Starts a new operator instance (own client, own port-forwards) against the same K3s. */
  @Override
  public void startOperator(FaultPoints faults) {
    operator.start(faults);
  }

  @Override
  public URI operatorMetricsUrl() {
    return operator.metricsUrl();
  }

  /** Stops the running operator (as a pod being killed would: nothing of its in-memory state survives). */
  @Override
  public void stopOperator() {
    if (operator != null) { // null only when the backend failed to start
      operator.stop();
    }
  }


  @Override
  public String name() {
    return "k3s";
  }

  @Override
  public KubernetesClient client() {
    return client;
  }

  @Override
  public String namespace() {
    return namespace;
  }

  @Override
  public Path workDir() {
    return workDir;
  }

  /** Where {@link #saveLogs} writes every pod's log of the scenario's namespace. */
  private Path logsDir() {
    return workDir.resolve("pod-logs");
  }

  @Override
  public Path podLogs() {
    saveLogs();
    return logsDir();
  }

  @Override
  public Duration readyTimeout() {
    return Duration.ofMinutes(6); // image pulls and volume provisioning
  }

  /**
   * The client Service is inside K3s, out of this JVM's reach: one port-forward per member instead, which the
   * etcd client balances and fails over between like the Service would.
   */
  @Override
  public List<String> clientEndpoints(String cluster) {
    EtcdCluster etcd = client.resources(EtcdCluster.class).inNamespace(namespace).withName(cluster).get();
    int replicas = etcd == null || etcd.getSpec().getReplicas() == null ? 1 : etcd.getSpec().getReplicas();
    return IntStream.range(0, replicas).mapToObj(i -> memberEndpoint(cluster, i)).toList();
  }

  /** A port on 127.0.0.1 forwarding to the member's client port (its server certificate names 127.0.0.1). */
  @Override
  public String memberEndpoint(String cluster, int ordinal) {
    LocalPortForward forward = forwards.computeIfAbsent(cluster + "-" + ordinal, pod -> {
      try {
        return client.pods().inNamespace(namespace).withName(pod)
            .portForward(2379, InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1}), 0);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    return "https://127.0.0.1:" + forward.getLocalPort();
  }

  /** The etcd image has no shell: the signal comes from inside the K3s node, to the container's pid there. */
  @Override
  public void signalMember(String pod, String signal) {
    String script = "id=$(crictl ps -q --name etcd --label io.kubernetes.pod.namespace=" + namespace
        + " --label io.kubernetes.pod.name=" + pod + ") && [ -n \"$id\" ]"
        + " && pid=$(crictl inspect --output go-template --template '{{.info.pid}}' $id)"
        + " && kill -s " + signal + " $pid";
    exec(script, "signal " + signal + " to " + pod);
  }

  @Override
  public List<String> runningMembers() {
    String out = exec("crictl ps -q --name etcd --label io.kubernetes.pod.namespace=" + namespace,
        "list etcd containers");
    return out.lines().filter(l -> !l.isBlank()).map(id -> "container " + id).toList();
  }

  @Override
  public boolean claimDataExists(String claim) {
    return client.persistentVolumes().list().getItems().stream().anyMatch(pv -> pv.getSpec().getClaimRef() != null
        && namespace.equals(pv.getSpec().getClaimRef().getNamespace())
        && claim.equals(pv.getSpec().getClaimRef().getName()));
  }

  private String exec(String script, String what) {
    try {
      var result = container.execInContainer("sh", "-c", script);
      if (result.getExitCode() != 0) {
        throw new IllegalStateException(what + " failed in the K3s node: " + result.getStderr());
      }
      return result.getStdout();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Saves the current log of every pod in the namespace to {@link #logsDir()}. */
  private void saveLogs() {
    try {
      Files.createDirectories(logsDir());
      for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
        String name = pod.getMetadata().getName();
        try {
          String log = client.pods().inNamespace(namespace).withName(name).getLog();
          Files.writeString(logsDir().resolve(name + ".log"), log == null ? "" : log);
        } catch (RuntimeException e) {
          Files.writeString(logsDir().resolve(name + ".log"), "could not read the log: " + e);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not save pod logs to {}: {}", logsDir(), e.toString());
    }
  }

  /** Operator first, then the pod logs are saved, then K3s (and every etcd in it) goes with its container. */
  @Override
  public void close() {
    try {
      stopOperator();
      forwards.values().forEach(f -> {
        try {
          f.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      });
    } finally {
      try {
        saveLogs();
        client.close();
      } finally {
        container.stop();
      }
    }
  }
}
