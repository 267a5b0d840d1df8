package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetPersistentVolumeClaimRetentionPolicyBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The local backend's Kubernetes semantics that the scenarios rely on but do not all exercise: OrderedReady pod
 * management, PVC retention on scale-down and deletion, PVC protection, startup and liveness probes, Endpoints, and
 * run-to-completion pods (init containers, restartPolicy Never, termination messages). Containers here are
 * {@code sleep} or {@code sh} processes; a test makes a TCP probe pass by listening on the pod's address.
 */
class KubernetesStandInTest {
  private static final String NAMESPACE = "e2e-standin";
  private static final int PROBE_PORT = 8080;
  private static LocalCluster cluster;
  private static KubernetesClient kube;
  private final List<ServerSocket> listeners = new ArrayList<>();

  @BeforeAll
  static void start() {
    cluster = new LocalCluster("stand-in", NAMESPACE,
        OperatorConfig.DEFAULT_REPLACE_FAILING_MEMBER_AFTER);
    kube = cluster.client();
  }

  @AfterAll
  static void stop() {
    NoProcessOutlives.closeAndCheck(cluster);
  }

  @Test
  void orderedReadyStartsEachPodOnceItsPredecessorIsReadyAndScalesDownFromTheTop() throws Exception {
    List<String> deleted = new CopyOnWriteArrayList<>();
    try (Watch ignored = kube.pods().inNamespace(NAMESPACE).watch(deletions(deleted))) {
      kube.apps().statefulSets().inNamespace(NAMESPACE).resource(statefulSet("ordered", 2, "OrderedReady",
          readyWhenListening())).create();
      Pod first = awaitRunning("ordered-0");
      await("ordered-1 not created while ordered-0 is not Ready").during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(5)).until(() -> pod("ordered-1") == null);

      listen(first);
      Pod second = awaitRunning("ordered-1");
      listen(second);
      await("both Ready").atMost(Duration.ofSeconds(15))
          .until(() -> StatefulSetController.isReady(pod("ordered-0"))
              && StatefulSetController.isReady(pod("ordered-1")));

      kube.apps().statefulSets().inNamespace(NAMESPACE).withName("ordered").scale(0);
      await("scaled to zero").atMost(Duration.ofSeconds(30))
          .until(() -> pod("ordered-0") == null && pod("ordered-1") == null);
      assertThat(deleted).containsExactly("ordered-1", "ordered-0");
    }
  }

  @Test
  void claimsFollowTheRetentionPolicy() throws Exception {
    StatefulSet sts = withDataClaim(statefulSet("kept", 2, "Parallel", null));
    sts.getSpec().setPersistentVolumeClaimRetentionPolicy(
        new StatefulSetPersistentVolumeClaimRetentionPolicyBuilder()
            .withWhenScaled("Delete").withWhenDeleted("Retain").build());
    kube.apps().statefulSets().inNamespace(NAMESPACE).resource(sts).create();
    awaitRunning("kept-0");
    awaitRunning("kept-1");
    Files.writeString(cluster.claimDir("data-kept-0").resolve("marker"), "0");
    Files.writeString(cluster.claimDir("data-kept-1").resolve("marker"), "1");

    kube.apps().statefulSets().inNamespace(NAMESPACE).withName("kept").scale(1);
    await("claim of the removed ordinal gone with its data (whenScaled: Delete)").atMost(Duration.ofSeconds(30))
        .until(() -> claim("data-kept-1") == null && !cluster.claimDataExists("data-kept-1"));
    assertThat(cluster.claimDir("data-kept-0").resolve("marker")).hasContent("0");

    kube.apps().statefulSets().inNamespace(NAMESPACE).withName("kept").delete();
    await("pods gone with their StatefulSet").atMost(Duration.ofSeconds(30)).until(() -> pod("kept-0") == null);
    assertThat(claim("data-kept-0")).as("whenDeleted: Retain").isNotNull();
    assertThat(cluster.claimDir("data-kept-0").resolve("marker")).hasContent("0");
  }

  /**
   * A claim made anew under the same name is another volume, as a fresh PersistentVolume is on a real cluster: the
   * protection controller's release of the old claim, however late it comes, leaves the new one and its data alone.
   */
  @Test
  void aDeletedClaimKeepsItsDataUntilItsPodIsGoneAndThePodComesBackOnAFreshClaim() throws Exception {
    StatefulSet sts = withDataClaim(statefulSet("fresh", 1, "Parallel", null));
    kube.apps().statefulSets().inNamespace(NAMESPACE).resource(sts).create();
    awaitRunning("fresh-0");
    String oldClaim = claim("data-fresh-0").getMetadata().getUid();
    Files.writeString(cluster.claimDir("data-fresh-0").resolve("marker"), "old");

    kube.persistentVolumeClaims().inNamespace(NAMESPACE).withName("data-fresh-0").delete();
    await("claim Terminating while its pod runs").during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
        .until(() -> claim("data-fresh-0") != null && claim("data-fresh-0").getMetadata().getDeletionTimestamp() != null
            && Files.exists(cluster.claimDir("data-fresh-0").resolve("marker")));
    PersistentVolumeClaim terminating = claim("data-fresh-0");

    kube.pods().inNamespace(NAMESPACE).withName("fresh-0").delete();
    await("a new pod on a new, empty claim").atMost(Duration.ofSeconds(30)).until(() -> {
      PersistentVolumeClaim claim = claim("data-fresh-0");
      Pod pod = pod("fresh-0");
      return claim != null && !claim.getMetadata().getUid().equals(oldClaim) && isRunning(pod);
    });
    assertThat(cluster.claimDir("data-fresh-0").resolve("marker")).doesNotExist();

    Files.writeString(cluster.claimDir("data-fresh-0").resolve("marker"), "new");
    // What the controller does when its cache still shows the old claim, Terminating and unused.
    new ClaimController(kube, cluster.volumes()).release(terminating);
    assertThat(cluster.claimDir("data-fresh-0").resolve("marker")).hasContent("new");
    assertThat(claim("data-fresh-0").getMetadata().getFinalizers()).contains(ClaimController.PROTECTION_FINALIZER);
  }

  @Test
  void aDeletedPodStaysUntilItsProcessHasStoppedSoItsReplacementNeverRunsBesideIt() throws Exception {
    StatefulSet sts = statefulSet("slow", 1, "OrderedReady", null);
    // Takes a while over SIGTERM, as etcd does while it closes its listeners and its data.
    sts.getSpec().getTemplate().getSpec().getContainers().get(0).setCommand(List.of("sh", "-c",
        "trap 'sleep 2; exit 0' TERM; while true; do sleep 0.2; done"));
    sts.getSpec().getTemplate().getSpec().setTerminationGracePeriodSeconds(10L);
    kube.apps().statefulSets().inNamespace(NAMESPACE).resource(sts).create();
    String oldUid = awaitRunning("slow-0").getMetadata().getUid();
    ContainerProcess old = cluster.kubelet().processOf(NAMESPACE, "slow-0").orElseThrow();

    kube.pods().inNamespace(NAMESPACE).withName("slow-0").delete();
    List<String> seen = new CopyOnWriteArrayList<>();
    await("the replacement pod running").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
        .until(() -> {
          Pod now = pod("slow-0");
          boolean replaced = now != null && !now.getMetadata().getUid().equals(oldUid);
          seen.add((now == null ? "no pod" : replaced ? "replacement" : now.getMetadata().getDeletionTimestamp() != null
              ? "old pod terminating" : "old pod") + (old.isAlive() ? ", old process alive" : ", old process gone"));
          return replaced && isRunning(now);
        });
    assertThat(seen).as("what was seen after the delete").contains("old pod terminating, old process alive")
        .doesNotContain("replacement, old process alive", "no pod, old process alive");
  }

  @Test
  void livenessIsCheckedOnlyAfterTheStartupProbePassedAndRestartsTheContainer() throws Exception {
    Container container = sleeper();
    container.setStartupProbe(tcpProbe(PROBE_PORT, 30));
    container.setLivenessProbe(tcpProbe(PROBE_PORT + 1, 2));
    kube.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata().withName("lively").endMetadata()
        .withNewSpec().withContainers(container).withTerminationGracePeriodSeconds(1L).endSpec().build()).create();
    Pod running = awaitRunning("lively");
    String firstContainer = running.getStatus().getContainerStatuses().get(0).getContainerID();
    await("no liveness check, so no restart, while the startup probe fails").during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5)).until(() -> restarts("lively") == 0 && !StatefulSetController.isReady(
            pod("lively")));

    listen(running);
    await("restarted by the failing liveness probe").atMost(Duration.ofSeconds(15))
        .until(() -> restarts("lively") >= 1);
    var status = pod("lively").getStatus().getContainerStatuses().get(0);
    assertThat(status.getContainerID()).isNotEqualTo(firstContainer);
    assertThat(status.getLastState().getTerminated()).as("last state").isNotNull();
  }

  @Test
  void endpointsListReadyPodsAsAddressesAndTheOthersAsNotReady() throws Exception {
    for (String name : List.of("ep-a", "ep-b")) {
      Container container = sleeper();
      container.setReadinessProbe(tcpProbe(PROBE_PORT, 1));
      kube.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata().withName(name)
          .withLabels(Map.of("app", "ep")).endMetadata().withNewSpec().withContainers(container)
          .withTerminationGracePeriodSeconds(1L).endSpec().build()).create();
    }
    kube.services().inNamespace(NAMESPACE).resource(new ServiceBuilder().withNewMetadata().withName("ep")
        .endMetadata().withNewSpec().withSelector(Map.of("app", "ep")).addNewPort().withName("http").withPort(80)
        .withTargetPort(new IntOrString(PROBE_PORT)).endPort().endSpec().build()).create();
    String readyIp = awaitRunning("ep-a").getStatus().getPodIP();
    String notReadyIp = awaitRunning("ep-b").getStatus().getPodIP();
    listen(pod("ep-a"));

    await("Endpoints of the Service").atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      Endpoints endpoints = kube.endpoints().inNamespace(NAMESPACE).withName("ep").get();
      assertThat(endpoints).isNotNull();
      assertThat(endpoints.getSubsets()).hasSize(1);
      var subset = endpoints.getSubsets().get(0);
      assertThat(subset.getAddresses()).extracting(a -> a.getIp()).containsExactly(readyIp);
      assertThat(subset.getNotReadyAddresses()).extracting(a -> a.getIp()).containsExactly(notReadyIp);
      assertThat(subset.getPorts()).extracting(p -> p.getPort()).containsExactly(PROBE_PORT);
    });
    assertThat(InetAddress.getByName("ep." + NAMESPACE + ".svc").getHostAddress()).as("the Service name")
        .isEqualTo(readyIp);

    kube.services().inNamespace(NAMESPACE).withName("ep").delete();
    await("Endpoints go with the Service").atMost(Duration.ofSeconds(15))
        .until(() -> kube.endpoints().inNamespace(NAMESPACE).withName("ep").get() == null);
  }

  @Test
  void aPodBeingDeletedLeavesItsServiceBeforeItsProcessIsSignalled() throws Exception {
    Container container = sleeper();
    container.setReadinessProbe(tcpProbe(PROBE_PORT, 1));
    // What the pod's /etc/hosts (the cluster DNS) says the moment SIGTERM arrives (wait returns on a trapped signal).
    container.setCommand(List.of("sh", "-c", "trap 'echo TERM; cat /etc/hosts; exit 0' TERM; "
        + "while true; do sleep 5 & wait $!; done"));
    kube.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata().withName("leaving")
        .withLabels(Map.of("app", "leaving")).endMetadata().withNewSpec().withContainers(container)
        .withTerminationGracePeriodSeconds(5L).endSpec().build()).create();
    kube.services().inNamespace(NAMESPACE).resource(new ServiceBuilder().withNewMetadata().withName("leaving")
        .endMetadata().withNewSpec().withSelector(Map.of("app", "leaving")).addNewPort().withName("http")
        .withPort(80).withTargetPort(new IntOrString(PROBE_PORT)).endPort().endSpec().build()).create();
    listen(awaitRunning("leaving"));
    String service = "leaving." + NAMESPACE + ".svc";
    await("the Service names the Ready pod").atMost(Duration.ofSeconds(15))
        .until(() -> Files.readString(Path.of(System.getProperty("e2e.hosts.file"))).contains(service));

    kube.pods().inNamespace(NAMESPACE).withName("leaving").delete();
    await("the pod gone").atMost(Duration.ofSeconds(30)).until(() -> pod("leaving") == null);
    List<String> log = Files.readAllLines(cluster.kubelet().logFile(NAMESPACE, "leaving"));
    List<String> atTerm = log.subList(log.indexOf("TERM"), log.size());
    assertThat(atTerm).as("the DNS when the process got SIGTERM").anyMatch(l -> l.contains("localhost"))
        .noneMatch(l -> l.contains(service));
  }

  @Test
  void aRunOncePodRunsItsInitContainersInOrderThenItsContainerOnceAndSucceeds() throws Exception {
    kube.pods().inNamespace(NAMESPACE).resource(runOnce("once", shell("main", "echo main ran"),
        new ContainerBuilder().withName("first").withImage("busybox").withCommand("/bin/true").build(),
        shell("second", "echo second ran"))).create();
    await("Succeeded").atMost(Duration.ofSeconds(30)).until(() -> "Succeeded".equals(phase("once")));
    await("not run again").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
        .until(() -> "Succeeded".equals(phase("once")));

    assertThat(starts("once")).as("each container started once, in order")
        .containsExactly("/bin/true", "sh -c echo second ran", "sh -c echo main ran");
    PodStatus status = pod("once").getStatus();
    assertThat(condition(status, "Initialized")).isEqualTo("True");
    assertThat(status.getInitContainerStatuses()).extracting(ContainerStatus::getName).containsExactly("first",
        "second");
    assertThat(status.getInitContainerStatuses()).allSatisfy(s -> assertCompleted(s));
    ContainerStatus main = status.getContainerStatuses().get(0);
    assertCompleted(main);
    assertThat(main.getRestartCount()).isZero();
    assertThat(cluster.kubelet().hasRuntime(NAMESPACE, "once")).as("kept until the pod is deleted").isTrue();

    kube.pods().inNamespace(NAMESPACE).withName("once").delete();
    await("pod and its record gone").atMost(Duration.ofSeconds(15))
        .until(() -> pod("once") == null && !cluster.kubelet().hasRuntime(NAMESPACE, "once"));
  }

  @Test
  void aFailingInitContainerFailsARunOncePodWithItsOwnOutputAsMessage() throws Exception {
    kube.pods().inNamespace(NAMESPACE).resource(runOnce("doomed", shell("main", "echo main ran"),
        shell("first", "echo output of the first"),
        shell("second", "seq -f line-%g 1 100; echo second says boom; exit 3"))).create();
    await("Failed").atMost(Duration.ofSeconds(30)).until(() -> "Failed".equals(phase("doomed")));
    await("nothing runs after it").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
        .until(() -> "Failed".equals(phase("doomed")) && starts("doomed").size() == 2);

    PodStatus status = pod("doomed").getStatus();
    assertThat(condition(status, "Initialized")).isEqualTo("False");
    assertCompleted(status.getInitContainerStatuses().get(0));
    var failed = status.getInitContainerStatuses().get(1).getState().getTerminated();
    assertThat(failed.getExitCode()).isEqualTo(3);
    assertThat(failed.getReason()).isEqualTo("Error");
    assertThat(failed.getMessage()).as("the kubelet's tail: the last 80 lines of this container's output")
        .startsWith("line-22\n").contains("second says boom").doesNotContain("output of the first");
    assertThat(status.getInitContainerStatuses().get(1).getRestartCount()).isZero();
    ContainerStatus main = status.getContainerStatuses().get(0);
    assertThat(main.getState().getWaiting()).as("main container never started").isNotNull();
    assertThat(main.getContainerID()).isNull();
    assertThat(starts("doomed")).noneMatch(c -> c.contains("main ran"));
  }

  /** A pod with restartPolicy Never whose containers report their output on failure, as restore pods do. */
  private static Pod runOnce(String name, Container main, Container... init) {
    return new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().withRestartPolicy("Never")
        .withInitContainers(init).withContainers(main).withTerminationGracePeriodSeconds(1L).endSpec().build();
  }

  private static Container shell(String name, String script) {
    return new ContainerBuilder().withName(name).withImage("busybox").withCommand("sh", "-c", script)
        .withTerminationMessagePolicy("FallbackToLogsOnError").build();
  }

  private static void assertCompleted(ContainerStatus status) {
    var terminated = status.getState().getTerminated();
    assertThat(terminated).as(status.getName() + " terminated").isNotNull();
    assertThat(terminated.getExitCode()).isZero();
    assertThat(terminated.getReason()).isEqualTo("Completed");
    assertThat(terminated.getMessage()).as("no message on success").isNull();
    assertThat(terminated.getStartedAt()).isNotNull();
    assertThat(terminated.getFinishedAt()).isNotNull();
  }

  private static String phase(String pod) {
    Pod p = pod(pod);
    return p == null || p.getStatus() == null ? null : p.getStatus().getPhase();
  }

  private static String condition(PodStatus status, String type) {
    return status.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow()
        .getStatus();
  }

  /** The commands the kubelet started for the pod, in order, from the {@code ### start:} lines of its log. */
  private static List<String> starts(String pod) throws IOException {
    var log = cluster.kubelet().logFile(NAMESPACE, pod);
    return !Files.exists(log) ? List.of() : Files.readAllLines(log).stream().filter(l -> l.startsWith("### start: "))
        .map(l -> l.substring("### start: ".length())).toList();
  }

  @AfterEach
  void closeListeners() throws IOException {
    for (ServerSocket listener : listeners) {
      listener.close();
    }
  }

  /** Makes a TCP probe of the pod on {@link #PROBE_PORT} pass. */
  private void listen(Pod pod) {
    try {
      ServerSocket listener = new ServerSocket();
      listener.bind(new InetSocketAddress(pod.getStatus().getPodIP(), PROBE_PORT));
      listeners.add(listener);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Container sleeper() {
    return new ContainerBuilder().withName("main").withImage("busybox").withCommand("sleep", "3600").build();
  }

  private static Probe tcpProbe(int port, int failureThreshold) {
    return new ProbeBuilder().withNewTcpSocket().withPort(new IntOrString(port)).endTcpSocket().withPeriodSeconds(1)
        .withFailureThreshold(failureThreshold).build();
  }

  private static Probe readyWhenListening() {
    return tcpProbe(PROBE_PORT, 1);
  }

  private static StatefulSet statefulSet(String name, int replicas, String podManagement, Probe readiness) {
    Container container = sleeper();
    container.setReadinessProbe(readiness);
    return new StatefulSetBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata()
        .withNewSpec().withReplicas(replicas).withPodManagementPolicy(podManagement).withServiceName(name)
        .withNewSelector().addToMatchLabels("app", name).endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
        .withNewSpec().withContainers(container).withTerminationGracePeriodSeconds(1L).endSpec().endTemplate()
        .endSpec().build();
  }

  /** A claim template {@code data} mounted at /data. */
  private static StatefulSet withDataClaim(StatefulSet sts) {
    sts.getSpec().getTemplate().getSpec().getContainers().get(0).setVolumeMounts(List.of(
        new VolumeMountBuilder().withName("data").withMountPath("/data").build()));
    sts.getSpec().setVolumeClaimTemplates(List.of(new PersistentVolumeClaimBuilder()
        .withNewMetadata().withName("data").endMetadata().withNewSpec().withAccessModes("ReadWriteOnce")
        .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build()));
    return sts;
  }

  private static Pod pod(String name) {
    return kube.pods().inNamespace(NAMESPACE).withName(name).get();
  }

  private static PersistentVolumeClaim claim(String name) {
    return kube.persistentVolumeClaims().inNamespace(NAMESPACE).withName(name).get();
  }

  private static boolean isRunning(Pod pod) {
    return pod != null && pod.getStatus() != null && pod.getStatus().getContainerStatuses() != null
        && !pod.getStatus().getContainerStatuses().isEmpty()
        && pod.getStatus().getContainerStatuses().get(0).getState().getRunning() != null;
  }

  private static Pod awaitRunning(String name) {
    await(name + " running").atMost(Duration.ofSeconds(30)).until(() -> isRunning(pod(name)));
    return pod(name);
  }

  private static int restarts(String name) {
    return pod(name).getStatus().getContainerStatuses().get(0).getRestartCount();
  }

  private static Watcher<Pod> deletions(List<String> deleted) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, Pod pod) {
        if (action == Action.DELETED) {
          deleted.add(pod.getMetadata().getName());
        }
      }

      @Override
      public void onClose(WatcherException cause) {
        // the test closes it
      }
    };
  }
}
