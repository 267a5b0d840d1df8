package dev.etcdoperator.access;

import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.READY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.EtcdOperator;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterSpec;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.MemberStatus;
import dev.etcdoperator.api.v1alpha1.TlsSpec;
import dev.etcdoperator.config.OperatorConfig;
import dev.etcdoperator.etcd.ClusterObservation;
import dev.etcdoperator.etcd.EtcdClient;
import dev.etcdoperator.etcd.EtcdConnection;
import dev.etcdoperator.etcd.EtcdMember;
import dev.etcdoperator.etcd.MemberProbe;
import dev.etcdoperator.support.ConditionSet;
import dev.etcdoperator.support.EtcdVersion;
import dev.etcdoperator.support.IpFamily;
import dev.etcdoperator.testing.EtcdProcessCluster;
import dev.etcdoperator.testing.MutableClock;
import dev.etcdoperator.testing.TestApiServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Members reached the way an operator outside the cluster reaches them: Fabric8 port-forwards through the API server
 * (the test-apiserver stand-in, which forwards like a kubelet to each pod's {@code status.podIP}) to real etcd
 * processes, each on its own 127.x address as pods have their own IPs.
 */
class PortForwardMemberEndpointsTest {
  private static final String NS = "pf";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration ETCD_TIMEOUT = Duration.ofSeconds(5);

  @TempDir
  static Path dir;
  private static TestApiServer apiServer;
  private static KubernetesClient client;
  /** Members main-0..2; pods of every cluster in this class point at them. */
  private static EtcdProcessCluster etcd;

  /** The endpoints' clock: it only moves when a test moves it. */
  private MutableClock clock;
  private PortForwardMemberEndpoints endpoints;

  @BeforeAll
  static void start() {
    apiServer = TestApiServer.start();
    client = apiServer.client();
    etcd = EtcdProcessCluster.builder(dir.resolve("main")).members(3).namePrefix("main").start();
  }

  @AfterAll
  static void stop() {
    if (etcd != null) {
      etcd.close();
    }
    if (apiServer != null) {
      apiServer.close();
    }
  }

  @BeforeEach
  void newEndpoints() {
    clock = new MutableClock(Instant.parse("2026-11-01T00:00:00Z"));
    endpoints = new PortForwardMemberEndpoints(client, clock);
  }

  @AfterEach
  void closeEndpoints() {
    endpoints.close();
    for (String namespace : List.of(NS, "pf-other")) {
      client.pods().inNamespace(namespace).list().getItems()
          .forEach(p -> client.pods().inNamespace(namespace).withName(p.getMetadata().getName()).delete());
    }
  }

  @Test
  void everyMemberAnswersThroughItsOwnLocalForward() {
    Map<String, URI> urls = endpoints.clientUrls(cluster(NS, "main"), runPods(NS, "main"));

    assertThat(urls).containsOnlyKeys("main-0", "main-1", "main-2");
    assertThat(urls.values()).allSatisfy(url -> {
      assertThat(url.getScheme()).isEqualTo("http");
      assertThat(url.getHost()).isEqualTo("127.0.0.1");
      assertThat(url.getPort()).isPositive().isNotEqualTo(2379);
    }).doesNotHaveDuplicates();

    List<URI> list = urls.values().stream().sorted().toList();
    try (EtcdClient etcdClient = EtcdClient.connect(EtcdConnection.plain(list, ETCD_TIMEOUT))) {
      ClusterObservation observation = etcdClient.observe(list);

      assertThat(observation.healthyCount()).as("%s", observation).isEqualTo(3);
      assertThat(observation.members()).extracting(EtcdMember::name)
          .containsExactlyInAnyOrder("main-0", "main-1", "main-2");
      long leader = observation.leaderId().orElseThrow(() -> new AssertionError("no leader: " + observation));
      assertThat(observation.member(leader)).isPresent();
      // Each pod's forward reaches that pod's member, not just any member.
      urls.forEach((pod, url) -> {
        MemberProbe probe = observation.probes().get(url);
        long id = probe.memberId().orElseThrow(() -> new AssertionError("no status from " + pod + ": " + probe));
        assertThat(observation.member(id).map(EtcdMember::name)).as("member behind %s's forward", pod).contains(pod);
      });

      etcdClient.put("reached-through", "port-forward");
      assertThat(etcdClient.get("reached-through")).contains("port-forward");
    }
  }

  @Test
  void forwardsAreReusedUntilThePodIsReplaced() {
    List<Pod> pods = runPods(NS, "main");
    Map<String, URI> first = endpoints.clientUrls(cluster(NS, "main"), pods);

    assertThat(endpoints.clientUrls(cluster(NS, "main"), pods)).as("second round").isEqualTo(first);

    // main-1 is deleted and created again (a new uid), as its StatefulSet does after a node failure.
    Pod replaced = recreate(pods.get(1), etcd.host(1));
    assertThat(replaced.getMetadata().getUid()).isNotEqualTo(pods.get(1).getMetadata().getUid());
    Map<String, URI> after = endpoints.clientUrls(cluster(NS, "main"), List.of(pods.get(0), replaced, pods.get(2)));

    assertThat(after.get("main-0")).isEqualTo(first.get("main-0"));
    assertThat(after.get("main-2")).isEqualTo(first.get("main-2"));
    assertThat(after.get("main-1")).isNotEqualTo(first.get("main-1"));
    await("the old forward of main-1 closed").atMost(WAIT).until(() -> refuses(first.get("main-1")));
    assertHealthyThrough(after.values());
  }

  @Test
  void forgetClosesThatClustersForwardsOnly() {
    Map<String, URI> main = endpoints.clientUrls(cluster(NS, "main"), runPods(NS, "main"));
    Map<String, URI> mainX = endpoints.clientUrls(cluster(NS, "main-x"), runPods(NS, "main-x"));
    Map<String, URI> otherNamespace = endpoints.clientUrls(cluster("pf-other", "main"), runPods("pf-other", "main"));

    endpoints.forget(NS, "main");

    await("forwards of " + NS + "/main closed").atMost(WAIT)
        .untilAsserted(() -> assertThat(main.values()).allMatch(PortForwardMemberEndpointsTest::refuses));
    assertHealthyThrough(mainX.values());
    assertHealthyThrough(otherNamespace.values());
    assertThat(endpoints.clientUrls(cluster(NS, "main-x"), pods(NS, "main-x"))).as("main-x kept its forwards")
        .isEqualTo(mainX);

    Map<String, URI> again = endpoints.clientUrls(cluster(NS, "main"), pods(NS, "main"));
    assertThat(again.values()).doesNotContainAnyElementsOf(main.values());
    assertHealthyThrough(again.values());
  }

  @Test
  void closeReleasesEveryForward() {
    Map<String, URI> main = endpoints.clientUrls(cluster(NS, "main"), runPods(NS, "main"));
    Map<String, URI> mainX = endpoints.clientUrls(cluster(NS, "main-x"), runPods(NS, "main-x"));
    assertHealthyThrough(main.values());

    endpoints.close();

    await("every forward closed").atMost(WAIT).untilAsserted(() -> assertThat(
        Stream.concat(main.values().stream(), mainX.values().stream())).allMatch(
            PortForwardMemberEndpointsTest::refuses));
    await("no forwarding thread left").atMost(WAIT).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
        .extracting(Thread::getName).noneMatch(n -> n.startsWith(LoopbackPortForward.THREAD_PREFIX + NS + "/")));
  }

  /**
   * The URLs say 127.0.0.1, and etcd's client port must not be offered to the network: a forward has to listen on
   * loopback only, as {@code kubectl port-forward} does by default.
   */
  @Test
  void forwardsAreReachableFromThisMachineOnly() throws SocketException {
    Map<String, URI> urls = endpoints.clientUrls(cluster(NS, "main"), runPods(NS, "main"));
    List<InetAddress> otherAddresses = otherAddressesOfThisMachine();

    for (URI url : urls.values()) {
      for (InetAddress address : otherAddresses) {
        assertThat(accepts(address, url.getPort()))
            .as("forward %s also accepts connections on %s", url, address.getHostAddress()).isFalse();
      }
    }
  }

  /**
   * Every observation probes each member over short-lived connections (jetcd opens and closes them). Closing them
   * must release what the forward holds for them (a websocket through the API server, threads and, behind the
   * kubelet, a connection to etcd): a long-running operator must not accumulate them.
   */
  @Test
  void probesThroughTheForwardsLeaveNoConnectionsBehind() throws IOException {
    Map<String, URI> urls = endpoints.clientUrls(cluster(NS, "main"), runPods(NS, "main"));
    List<URI> list = urls.values().stream().sorted().toList();
    try (EtcdClient etcdClient = EtcdClient.connect(EtcdConnection.plain(list, ETCD_TIMEOUT))) {
      assertThat(etcdClient.observe(list).healthyCount()).isEqualTo(3);
      int before = clientConnectionsToEtcd();
      int threadsBefore = liveThreads();

      for (int round = 0; round < 10; round++) {
        assertThat(etcdClient.observe(list).healthyCount()).isEqualTo(3);
      }

      await("connections to etcd's client port back to what they were").atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(clientConnectionsToEtcd()).as("open connections to etcd (before: %d)",
              before).isLessThanOrEqualTo(before + 3));
      // The leak this guards against was a thread per probe connection (+60 over these rounds); pools elsewhere in
      // the JVM may grow by a few, so the bound is loose.
      await("threads back to what they were").atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(liveThreads()).as("live threads (before: %d)", threadsBefore)
              .isLessThanOrEqualTo(threadsBefore + 10));
    }
  }

  /** The other direction: when the stream ends on the pod's side (nothing listens there), the local one ends too. */
  @Test
  void aStreamEndedByThePodsSideEndsTheLocalConnection() throws IOException {
    Pod pod = setRunning(client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("dead-0")
        .endMetadata().withNewSpec().addNewContainer().withName("etcd").withImage("etcd").endContainer().endSpec()
        .build()).create(), "127.255.0.30");
    URI url = endpoints.clientUrls(cluster(NS, "dead"), List.of(pod)).get("dead-0");

    for (int attempt = 0; attempt < 2; attempt++) {
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), url.getPort())) {
        socket.setSoTimeout((int) WAIT.toMillis());
        int read;
        try {
          read = socket.getInputStream().read();
        } catch (SocketException reset) {
          read = -1;
        }
        assertThat(read).as("what the local connection gets (attempt %d)", attempt).isEqualTo(-1);
      }
    }
    assertThat(refuses(url)).as("the forward itself stays").isFalse();
  }

  /** Scale-down, or a pod that stopped running: its forward goes, the others stay. */
  @Test
  void forwardsOfPodsNoLongerRunningAreClosed() {
    List<Pod> pods = runPods(NS, "main");
    Map<String, URI> first = endpoints.clientUrls(cluster(NS, "main"), pods);

    Map<String, URI> after = endpoints.clientUrls(cluster(NS, "main"), pods.subList(0, 2));

    assertThat(after).containsOnlyKeys("main-0", "main-1");
    assertThat(after.get("main-0")).isEqualTo(first.get("main-0"));
    assertThat(after.get("main-1")).isEqualTo(first.get("main-1"));
    await("the forward of main-2 closed").atMost(WAIT).until(() -> refuses(first.get("main-2")));
    assertHealthyThrough(after.values());
  }

  /**
   * A deleted cluster is never reconciled again (and there is no finalizer to say so): its forwards are closed once
   * they have not been handed out for the idle limit, on the next call for any cluster.
   */
  @Test
  void forwardsUnusedForTheIdleLimitAreClosed() {
    Map<String, URI> main = endpoints.clientUrls(cluster(NS, "main"), runPods(NS, "main"));
    Map<String, URI> deleted = endpoints.clientUrls(cluster(NS, "main-x"), runPods(NS, "main-x"));

    clock.advance(PortForwardMemberEndpoints.IDLE_LIMIT);
    assertThat(endpoints.clientUrls(cluster(NS, "main"), pods(NS, "main"))).isEqualTo(main);
    assertThat(deleted.values()).as("unused for exactly the limit: still open")
        .noneMatch(PortForwardMemberEndpointsTest::refuses);

    clock.advance(Duration.ofSeconds(1));
    assertThat(endpoints.clientUrls(cluster(NS, "main"), pods(NS, "main"))).as("in use: kept").isEqualTo(main);

    await("forwards unused for longer than the limit closed").atMost(WAIT)
        .untilAsserted(() -> assertThat(deleted.values()).allMatch(PortForwardMemberEndpointsTest::refuses));
    assertHealthyThrough(main.values());
    Map<String, URI> again = endpoints.clientUrls(cluster(NS, "main-x"), pods(NS, "main-x"));
    assertThat(again.values()).as("used again: new forwards").doesNotContainAnyElementsOf(deleted.values());
    assertHealthyThrough(again.values());
  }

  /** The operator as EtcdOperatorMain wires it with member access PORT_FORWARD. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class WithTheOperator {
    private static final String OPS = "pf-operator";
    private final Map<String, Map<String, URI>> handedOut = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    /** When (on the forwards' clock) the last call for each cluster began. */
    private final Map<String, Instant> lastCallStarted = new ConcurrentHashMap<>();
    /** The forwards' clock only: the operator itself runs on the system clock. */
    private final MutableClock forwardsClock = new MutableClock(Instant.parse("2026-11-01T00:00:00Z"));
    private EtcdProcessCluster opsEtcd;
    private EtcdOperator operator;

    @BeforeAll
    void startOperator() {
      apiServer.installCrds();
      opsEtcd = EtcdProcessCluster.builder(dir.resolve("ops")).members(3).namePrefix("ops").start();
      OperatorConfig config = new OperatorConfig(Set.of(OPS), new EtcdVersion(3, 4, 23),
          "gcr.io/etcd-development/etcd", OperatorConfig.MemberAccess.PORT_FORWARD, ETCD_TIMEOUT,
          Duration.ofSeconds(2), 0, false, "lease", OPS, "test-operator", "cluster.local",
          OperatorConfig.DEFAULT_OPERATOR_IMAGE,
          OperatorConfig.DEFAULT_REPLACE_FAILING_MEMBER_AFTER,
          IpFamily.IPV4);
      PortForwardMemberEndpoints forwards = new PortForwardMemberEndpoints(client, forwardsClock);
      // Records what the reconciler was handed, so the test can check those local ports.
      MemberEndpoints recording = new MemberEndpoints() {
        @Override
        public Map<String, URI> clientUrls(EtcdCluster cluster, List<Pod> runningPods) {
          Instant started = forwardsClock.instant();
          Map<String, URI> urls = forwards.clientUrls(cluster, runningPods);
          handedOut.put(cluster.getMetadata().getName(), urls);
          lastCallStarted.put(cluster.getMetadata().getName(), started);
          calls.computeIfAbsent(cluster.getMetadata().getName(), k -> new AtomicInteger()).incrementAndGet();
          return urls;
        }

        @Override
        public void forget(String namespace, String clusterName) {
          forwards.forget(namespace, clusterName);
        }

        @Override
        public void close() {
          forwards.close();
        }
      };
      operator = new EtcdOperator(client, config, recording, Clock.systemUTC(), () -> {
        throw new AssertionError("leader election is off in this test");
      });
      operator.start();
    }

    @AfterAll
    void stopOperator() {
      if (operator != null) {
        operator.close();
      }
      if (opsEtcd != null) {
        opsEtcd.close();
      }
    }

    @Test
    void statusShowsThreeHealthyMembersReachedThroughForwards() throws Exception {
      createCluster("ops");
      runPodsOfStatefulSet("ops", opsEtcd::host);

      await().atMost(WAIT).untilAsserted(() -> {
        EtcdClusterStatus status = status("ops");
        assertThat(status.getMembers()).extracting(MemberStatus::getName)
            .containsExactly("ops-0", "ops-1", "ops-2");
        assertThat(status.getMembers()).allSatisfy(m -> assertThat(m.getHealthy()).isTrue());
        assertThat(status.getMembers()).filteredOn(m -> Boolean.TRUE.equals(m.getLeader())).hasSize(1);
        assertThat(ConditionSet.find(status.getConditions(), READY)).hasValueSatisfying(
            c -> assertThat(c.getStatus()).isEqualTo("True"));
      });
      assertThat(handedOut.get("ops").values()).allSatisfy(url -> assertThat(url.getHost()).isEqualTo("127.0.0.1"));
    }

    /**
     * As on a real cluster, where the garbage collector deletes the pods of a deleted EtcdCluster. Nothing reconciles
     * the cluster after that: its forwards go once unused for the idle limit, while those of a cluster that is still
     * reconciled stay.
     */
    @Test
    void deletingAClusterClosesItsForwards() throws Exception {
      createCluster("gone");
      createCluster("kept");
      // Pod IPs where nothing listens (127.255/16 is never used by EtcdProcessCluster): these clusters must not
      // disturb the members of "ops", and their forwards exist all the same.
      runPodsOfStatefulSet("gone", i -> "127.255.0." + (10 + i));
      runPodsOfStatefulSet("kept", i -> "127.255.0." + (20 + i));
      await().atMost(WAIT).until(() -> handedOut.getOrDefault("gone", Map.of()).size() == 3
          && handedOut.getOrDefault("kept", Map.of()).size() == 3);
      Collection<URI> urls = handedOut.get("gone").values();
      assertThat(urls).noneMatch(PortForwardMemberEndpointsTest::refuses);

      client.resources(EtcdCluster.class).inNamespace(OPS).withName("gone").delete();
      pods(OPS, "gone").forEach(p -> client.pods().inNamespace(OPS).resource(p).delete());

      // A reconcile of "gone" that was under way when it was deleted is over after two rounds of "kept".
      awaitTwoMoreCalls("kept");
      int goneCalls = calls.get("gone").get();

      // "kept" is still reconciled (and handed its forwards) after this, "gone" no more.
      forwardsClock.advance(PortForwardMemberEndpoints.IDLE_LIMIT.dividedBy(2));
      Instant halfway = forwardsClock.instant();
      await("kept reconciled since").atMost(WAIT).until(() -> !lastCallStarted.get("kept").isBefore(halfway));
      Map<String, URI> kept = handedOut.get("kept");
      assertThat(urls).as("not yet unused for the limit").noneMatch(PortForwardMemberEndpointsTest::refuses);

      forwardsClock.advance(PortForwardMemberEndpoints.IDLE_LIMIT.dividedBy(2).plusSeconds(1));
      await("forwards of the deleted cluster closed").atMost(WAIT)
          .untilAsserted(() -> assertThat(urls).allMatch(PortForwardMemberEndpointsTest::refuses));
      assertThat(calls.get("gone").get()).as("reconciles of the deleted cluster").isEqualTo(goneCalls);
      assertThat(handedOut.get("kept")).as("forwards of the cluster still reconciled").isEqualTo(kept);
      assertThat(kept.values()).noneMatch(PortForwardMemberEndpointsTest::refuses);

      client.resources(EtcdCluster.class).inNamespace(OPS).withName("kept").delete();
      pods(OPS, "kept").forEach(p -> client.pods().inNamespace(OPS).resource(p).delete());
    }

    private void awaitTwoMoreCalls(String cluster) {
      int now = calls.get(cluster).get();
      await(cluster + " reconciled twice more").atMost(WAIT).until(() -> calls.get(cluster).get() >= now + 2);
    }

    /** A 3-member cluster with TLS off (the EtcdProcessCluster members serve plain HTTP), posted like kubectl. */
    private void createCluster(String name) throws IOException, InterruptedException {
      String json = "{\"apiVersion\":\"etcdoperator.dev/v1alpha1\",\"kind\":\"EtcdCluster\",\"metadata\":{\"name\":\""
          + name + "\",\"namespace\":\"" + OPS + "\"},\"spec\":{\"replicas\":3,\"tls\":{\"mode\":\"Disabled\"}}}";
      HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
              apiServer.url() + "/apis/etcdoperator.dev/v1alpha1/namespaces/" + OPS + "/etcdclusters"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      await().atMost(WAIT).until(() -> client.apps().statefulSets().inNamespace(OPS).withName(name).get() != null);
    }

    /** What the StatefulSet controller and kubelet would do: pods from the template, running and ready. */
    private void runPodsOfStatefulSet(String name, java.util.function.IntFunction<String> podIp) {
      StatefulSet sts = client.apps().statefulSets().inNamespace(OPS).withName(name).get();
      for (int i = 0; i < 3; i++) {
        Pod pod = client.pods().inNamespace(OPS).resource(new PodBuilder().withNewMetadata()
            .withName(name + "-" + i).withLabels(sts.getSpec().getTemplate().getMetadata().getLabels()).endMetadata()
            .withSpec(sts.getSpec().getTemplate().getSpec()).build()).create();
        pod.setStatus(new PodStatusBuilder().withPhase("Running").withPodIP(podIp.apply(i))
            .addNewCondition().withType("Ready").withStatus("True").endCondition().build());
        client.pods().inNamespace(OPS).resource(pod).updateStatus();
      }
    }

    private EtcdClusterStatus status(String name) {
      EtcdCluster cluster = client.resources(EtcdCluster.class).inNamespace(OPS).withName(name).get();
      assertThat(cluster.getStatus()).as("status of %s", name).isNotNull();
      return cluster.getStatus();
    }
  }

  // ----------------------------------------------------------------------------------------------------------

  private static EtcdCluster cluster(String namespace, String name) {
    EtcdCluster cluster = new EtcdCluster();
    cluster.getMetadata().setNamespace(namespace);
    cluster.getMetadata().setName(name);
    cluster.setSpec(new EtcdClusterSpec());
    // The members here serve plain HTTP.
    var tls = new TlsSpec();
    tls.setMode(TlsSpec.Mode.Disabled);
    cluster.getSpec().setTls(tls);
    return cluster;
  }

  /** Pods {@code <cluster>-0..2}, running, with the addresses of members main-0..2 as their pod IPs. */
  private static List<Pod> runPods(String namespace, String cluster) {
    List<Pod> pods = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Pod created = client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata()
          .withName(cluster + "-" + i).endMetadata().withNewSpec().addNewContainer().withName("etcd")
          .withImage("etcd").endContainer().endSpec().build()).create();
      pods.add(setRunning(created, etcd.host(i)));
    }
    return pods;
  }

  private static Pod setRunning(Pod pod, String podIp) {
    pod.setStatus(new PodStatusBuilder().withPhase("Running").withPodIP(podIp).build());
    return client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).updateStatus();
  }

  private static Pod recreate(Pod pod, String podIp) {
    String namespace = pod.getMetadata().getNamespace();
    client.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).delete();
    Pod created = client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata()
        .withName(pod.getMetadata().getName()).endMetadata().withSpec(pod.getSpec()).build()).create();
    return setRunning(created, podIp);
  }

  private static List<Pod> pods(String namespace, String cluster) {
    return IntStream.range(0, 3)
        .mapToObj(i -> client.pods().inNamespace(namespace).withName(cluster + "-" + i).get()).toList();
  }

  /** Each URL serves etcd: a linearizable read through it succeeds. */
  private static void assertHealthyThrough(Collection<URI> urls) {
    List<URI> list = urls.stream().sorted().toList();
    try (EtcdClient etcdClient = EtcdClient.connect(EtcdConnection.plain(list, ETCD_TIMEOUT))) {
      assertThat(list).allSatisfy(url -> assertThat(etcdClient.isHealthy(url)).as("healthy through %s", url).isTrue());
    }
  }

  private static boolean refuses(URI url) {
    return !accepts(InetAddress.getLoopbackAddress(), url.getPort());
  }

  private static boolean accepts(InetAddress address, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Addresses other than 127.0.0.1 this machine answers on: its interfaces' and, on Linux, the rest of 127/8. */
  private static List<InetAddress> otherAddressesOfThisMachine() throws SocketException {
    List<InetAddress> addresses = new ArrayList<>(NetworkInterface.networkInterfaces()
        .filter(i -> {
          try {
            return i.isUp() && !i.isLoopback();
          } catch (SocketException e) {
            return false;
          }
        })
        .flatMap(NetworkInterface::inetAddresses)
        .filter(a -> a instanceof Inet4Address && !a.isLinkLocalAddress())
        .toList());
    try {
      addresses.add(InetAddress.getByAddress(new byte[] {127, 0, 0, 2}));
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
    return addresses;
  }

  private static int liveThreads() {
    return Thread.getAllStackTraces().size();
  }

  /** A clock that moves only when told to. */

  /**
   * Established TCP connections to etcd's client port on any of the members' addresses, machine-wide (Linux
   * {@code /proc/net/tcp*}): the stand-in's connections behind the forwards, plus the members' own.
   */
  private static int clientConnectionsToEtcd() throws IOException {
    List<String> remotes = IntStream.range(0, etcd.size()).mapToObj(i -> hex(etcd.host(i)) + ":094B").toList();
    int count = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines = Files.readAllLines(Path.of(table));
      for (String line : lines.subList(1, lines.size())) {
        String[] fields = line.trim().split("\\s+");
        // fields: sl local_address rem_address st ...; st 01 = ESTABLISHED
        if (fields[3].equals("01") && remotes.stream().anyMatch(fields[2]::endsWith)) {
          count++;
        }
      }
    }
    return count;
  }

  /** An IPv4 address as /proc/net/tcp writes it (a 32-bit word in the byte order of x86 and arm64). */
  private static String hex(String ipv4) {
    String[] octets = ipv4.split("\\.");
    return String.format("%02X%02X%02X%02X", Integer.parseInt(octets[3]), Integer.parseInt(octets[2]),
        Integer.parseInt(octets[1]), Integer.parseInt(octets[0]));
  }
}
