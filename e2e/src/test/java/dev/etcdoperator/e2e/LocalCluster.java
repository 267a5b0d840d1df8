package dev.etcdoperator.e2e;

import dev.etcdoperator.EtcdOperator;
import dev.etcdoperator.cluster.model.FaultPoints;
import dev.etcdoperator.access.DirectMemberEndpoints;
import dev.etcdoperator.config.OperatorConfig;
import dev.etcdoperator.support.EtcdVersion;
import dev.etcdoperator.support.IpFamily;
import dev.etcdoperator.testing.TestApiServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code local} backend: the stand-in API server (own process), the StatefulSet controller, kubelet and
 * garbage-collector stand-ins, and the real operator in this JVM or in one of its own ({@link OperatorProcess})
 * (restartable: {@link #stopOperator}, {@link #startOperator}), which reaches members exactly as in a cluster
 * ({@link DirectMemberEndpoints}: {@code https://<pod>.<cluster>-peer.<ns>.svc.cluster.local:2379}). Those names
 * resolve through {@link ClusterDns}' hosts file, which this JVM must use as its resolver
 * ({@code -Djdk.net.hosts.file}, set by e2e/pom.xml): so TLS hostname verification checks the names the operator's
 * server certificates carry (the peer wildcards), with no test-only trust shortcut.
 */
final class LocalCluster implements Backend {
  static final String CLUSTER_DOMAIN = "cluster.local";
  /** The etcd on PATH (Debian's etcd-server) serves every image tag; scenarios run this version. */
  static final EtcdVersion ETCD_VERSION = new EtcdVersion(3, 4, 23);

  private final String namespace;
  private final Path workDir;
  private final TestApiServer apiServer;
  private final Kubelet kubelet;
  private final PodVolumes volumes;
  /** Every stand-in, in start order; closed in reverse. */
  private final List<StandIn> standIns = new ArrayList<>();
  private final OperatorConfig config;
  private final OperatorRunner operator;

  /** The scenarios' resync interval: short, so that what a periodic look finds is found within their waits. */
  static final Duration SCENARIO_RESYNC = Duration.ofSeconds(5);

  LocalCluster(String name, String namespace, Duration replaceFailingMemberAfter) {
    this(name, namespace, replaceFailingMemberAfter, false, null);
  }

  /**
   * @param leaderElection whether the operator runs as a deployed one does, with leader election (its Lease in
   *     {@code namespace}); the scenarios run without, the scale benchmark with
   * @param operatorJvm with it the operator runs in a JVM of its own with those settings ({@link OperatorProcess},
   *     for measuring it alone); with null, in this JVM
   */
  LocalCluster(String name, String namespace, Duration replaceFailingMemberAfter, boolean leaderElection,
      OperatorJvm operatorJvm) {
    this(name, namespace, replaceFailingMemberAfter, leaderElection, operatorJvm, SCENARIO_RESYNC);
  }

  /**
   * @param resyncInterval how often the operator looks at a settled cluster: {@link #SCENARIO_RESYNC} for the
   *     scenarios, which wait for what a look finds; a benchmark of the operator as deployed takes its default
   */
  LocalCluster(String name, String namespace, Duration replaceFailingMemberAfter, boolean leaderElection,
      OperatorJvm operatorJvm, Duration resyncInterval) {
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
      volumes = new PodVolumes(workDir.resolve("pvcs"));
      kubelet = new Kubelet(apiServer.newClient(), dns, new PodAddresses(), volumes, workDir);
      standIns.add(kubelet);
      standIns.add(new EndpointsController(apiServer.newClient(), kubelet, dns));
      standIns.add(new StatefulSetController(apiServer.newClient(), volumes));
      standIns.add(new ClaimController(apiServer.newClient(), volumes));
      standIns.add(new GarbageCollector(apiServer.newClient()));
      standIns.add(new NamespaceController(apiServer.newClient()));
      standIns.forEach(StandIn::start);
      config = new OperatorConfig(Set.of(), ETCD_VERSION, "gcr.io/etcd-development/etcd",
          OperatorConfig.MemberAccess.DIRECT, Duration.ofSeconds(5), resyncInterval, 0, leaderElection,
          "etcd-operator-leader", namespace, "e2e-operator", CLUSTER_DOMAIN, OperatorConfig.DEFAULT_OPERATOR_IMAGE,
          replaceFailingMemberAfter, IpFamily.IPV4);
      operator = operatorJvm != null
          ? new OperatorProcess(operatorJvm, apiServer.url(), config, hostsFile, workDir)
          : new InProcessOperator((onFatalStop, faults, meters) -> new EtcdOperator(
              apiServer.newClient(EtcdOperator.USER_AGENT), config, new DirectMemberEndpoints(CLUSTER_DOMAIN),
              Clock.systemUTC(), onFatalStop, faults, meters));
      startOperator();
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  /** Starts a new operator instance (own client, own member connections) against the same API server. */
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


  /** How the operator runs here (its process, its meters). */
  OperatorRunner operator() {
    return operator;
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

  @Override
  public String name() {
    return "local";
  }

  @Override
  public KubernetesClient client() {
    return apiServer.client();
  }

  @Override
  public String namespace() {
    return namespace;
  }

  @Override
  public Path workDir() {
    return workDir;
  }

  /** The client Service's name, which {@link ClusterDns} resolves to the ready members. */
  @Override
  public List<String> clientEndpoints(String cluster) {
    return List.of("https://" + cluster + "." + namespace + ".svc:2379");
  }

  @Override
  public String memberEndpoint(String cluster, int ordinal) {
    return "https://" + cluster + "-" + ordinal + "." + cluster + "-peer." + namespace + ".svc:2379";
  }

  @Override
  public void signalMember(String pod, String signal) {
    kubelet.processOf(namespace, pod).filter(ContainerProcess::isAlive)
        .orElseThrow(() -> new IllegalStateException("no running process for pod " + pod)).signal(signal);
  }

  /** The kubelet writes each pod's log as it goes ({@code <ns>_<pod>.log}, appended across restarts). */
  @Override
  public Path podLogs() {
    return kubelet.logsDir();
  }

  @Override
  public List<String> runningMembers() {
    List<String> running = new ArrayList<>(kubelet.podsWithLiveProcesses(namespace));
    Set<Long> known = kubelet.processes().stream().map(ContainerProcess::pid).collect(Collectors.toSet());
    // anything else still using this run's files is a stray the kubelet lost track of
    NoProcessOutlives.processesUsing(workDir.toString(), known).forEach(p -> running.add("stray process " + p));
    return running;
  }

  PodVolumes volumes() {
    return volumes;
  }

  /** The directory behind the claim of that name the namespace has now. */
  Path claimDir(String claim) {
    PersistentVolumeClaim live = apiServer.client().persistentVolumeClaims().inNamespace(namespace).withName(claim)
        .get();
    if (live == null) {
      throw new IllegalStateException("no claim " + claim + " in " + namespace);
    }
    return volumes.claimDir(namespace, claim, live.getMetadata().getUid());
  }

  @Override
  public boolean claimDataExists(String claim) {
    return volumes.anyClaimData(namespace, claim);
  }

  @Override
  public Duration readyTimeout() {
    return Duration.ofMinutes(2);
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
        // the kubelet last: its close SIGKILLs every process
        standIns.reversed().forEach(StandIn::close);
      } finally {
        apiServer.close();
      }
    }
  }
}
