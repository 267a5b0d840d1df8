package dev.etcdoperator.e2e;

import static org.awaitility.Awaitility.await;

import dev.etcdoperator.EtcdOperator;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.hamcrest.Matchers;

/**
 * Many clusters on one operator (a main class, not a test), on the {@code local} backend: for each N of
 * {@code -Dbench.scale.clusters} (default 10,50,100) one-member emptyDir clusters with the default TLS, created at
 * once, it prints side by side
 *
 * <ul>
 *   <li>the time until every one is Ready, and two floors: etcd's own, N etcd processes started by plain
 *       {@link ProcessBuilder} calls (no TLS, no Kubernetes), until each answers {@code /health}; and this
 *       Kubernetes', the same pods from the same objects without the operator, until each is Ready
 *       ({@link KubernetesFloor});</li>
 *   <li>the heap after a full collection and the resident set of the operator's process once all are idle: with
 *       {@code -Dbench.operator=process} a JVM of its own started as the image starts it ({@link OperatorProcess},
 *       under a simulated memory limit {@code -Dbench.operator.limit}, default 512m), so the figures are the
 *       operator's alone; by default the operator runs in this JVM with the StatefulSet, kubelet and
 *       garbage-collector stand-ins, and the figures bound the operator's from above;</li>
 *   <li>the operator's requests to the API server per minute while every cluster is idle (counted by the API
 *       stand-in by User-Agent: the stand-ins' own requests are not in it);</li>
 *   <li>the time a restarted operator takes to take up every cluster again (each cluster's Lease renewed; with a
 *       child process, from its fork, so the JVM's start-up is in it);</li>
 *   <li>one cluster's scale-out from 1 to 3 members while the others are idle, and etcd's own floor for it
 *       ({@link ScaleOutFloor}).</li>
 * </ul>
 *
 * <p>Before the measured clusters, up to ten (-Dbench.scale.warmup, 0 for none) are created and deleted, so that the
 * stand-ins' JVMs have compiled their paths, as they have when the Kubernetes floor is measured at the end. The
 * operator looks at settled clusters as often as deployed (every 60 s; -Dbench.scale.resync=5 as the scenarios and the
 * runs before 2026-12-06 did).
 *
 * <p>Figures only. Run with {@code ./mvnw -q -Pbench -Dbench.main=dev.etcdoperator.e2e.ScaleBenchmark -pl e2e -am
 * verify -DskipTests} (and {@code -Dbench.scale.clusters=10,50} for other sizes).
 */
public final class ScaleBenchmark {
  private static final String NAMESPACE = "scale";
  private static final String LEADER_LEASE = "etcd-operator-leader";
  private static final Duration IDLE_WINDOW = Duration.ofMinutes(1);
  /** At most this many clusters warm the stand-ins and the operator up before the measured ones (see warmUp). */
  private static final int WARM_UP_CLUSTERS = 10;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private ScaleBenchmark() {}

  record Row(int clusters, Duration floor, Duration kubernetesFloor, Duration allReady, Duration afterLastPodReady,
      double heapMb, double rssMb, long requestsPerMinute, long etcdConnections, Duration firstTakenUp,
      Duration restart, Duration scaleOut, Duration scaleOutDuringBackups, int backups) {}

  /** How often the operator looks at a settled cluster: as deployed, unless -Dbench.scale.resync says otherwise. */
  private static Duration resync() {
    return Duration.ofSeconds(Long.getLong("bench.scale.resync",
        OperatorConfig.DEFAULT_RESYNC_INTERVAL.toSeconds()));
  }

  /** The image's JVM settings when the operator runs in a process of its own, null when it runs in this JVM. */
  private static OperatorJvm operatorJvm() {
    return switch (System.getProperty("bench.operator", "in-process")) {
      case "in-process" -> null;
      // -Dbench.operator.flags adds JVM flags after the image's, e.g. a flight recording for a profile
      case "process" -> OperatorJvm.ofImage().withFlags("image", System.getProperty("bench.operator.flags", ""));
      default -> throw new IllegalArgumentException("bench.operator must be in-process or process");
    };
  }

  public static void main(String[] args) throws Exception {
    List<Row> rows = new ArrayList<>();
    ScaleOutFloor.Result scaleOutFloor = ScaleOutFloor.measure(3);
    System.out.print(scaleOutFloor);
    try {
      for (String n : System.getProperty("bench.scale.clusters", "10,50,100").split(",")) {
        int clusters = Integer.parseInt(n.trim());
        System.out.printf("scale benchmark: %d clusters ...%n", clusters);
        Duration floor = EtcdFloor.measure(clusters);
        rows.add(run(clusters, floor));
      }
    } catch (Throwable e) {
      System.out.println("scale benchmark: failed: " + e);
      e.printStackTrace();
      System.exit(1);
    }
    OperatorJvm jvm = operatorJvm();
    System.out.println();
    System.out.println("etcd-operator scale benchmark, local backend (etcd " + LocalCluster.ETCD_VERSION + ", "
        + Runtime.getRuntime().availableProcessors() + " CPUs, Java " + Runtime.version() + "); one-member emptyDir "
        + "clusters with TLS; operator with leader election, " + (jvm == null ? "in the benchmark's JVM (max heap "
        + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB)" : "in its own JVM: limit " + jvm.memoryLimit()
        + ", " + jvm.describe()));
    System.out.println("| clusters | etcd floor: N processes healthy (ms) "
        + "| Kubernetes floor: the same pods Ready without the operator (ms) | operator: all Ready (ms) "
        + "| last pod Ready -> all Ready (ms) | heap idle (MB) | RSS idle (MB) | operator API requests/min idle "
        + "| etcd connections idle | restart: first taken up (ms) | restart: all taken up (ms) "
        + "| etcd floor: scale-out 1 -> 3 (ms) | scale-out 1 -> 3 of one (ms) "
        + "| the same while others are backed up (ms, backups) |");
    System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        + "| ---: |");
    for (Row r : rows) {
      System.out.printf("| %d | %d | %d | %d | %d | %.1f | %.1f | %d | %d | %d | %d | %d | %d | %d (%d) |%n",
          r.clusters(), r.floor().toMillis(), r.kubernetesFloor().toMillis(), r.allReady().toMillis(),
          r.afterLastPodReady().toMillis(), r.heapMb(), r.rssMb(), r.requestsPerMinute(), r.etcdConnections(),
          r.firstTakenUp().toMillis(), r.restart().toMillis(), scaleOutFloor.total().toMillis(),
          r.scaleOut().toMillis(), r.scaleOutDuringBackups().toMillis(), r.backups());
    }
    System.out.print(scaleOutFloor);
    System.out.println(jvm == null
        ? "Heap and RSS are this JVM's: the operator plus the StatefulSet, kubelet and garbage-collector stand-ins "
            + "(the API stand-in runs in its own process)."
        : "Heap and RSS are the operator process's alone; restart times include its JVM's start-up.");
    System.out.println("The operator looked at each settled cluster every " + resync().toSeconds() + " s "
        + "(-Dbench.scale.resync; the deployed default is " + OperatorConfig.DEFAULT_RESYNC_INTERVAL.toSeconds()
        + " s, the scenarios' " + LocalCluster.SCENARIO_RESYNC.toSeconds() + " s).");
    System.exit(0);
  }

  private static Row run(int clusters, Duration floor) throws Exception {
    // With leader election, as the operator is deployed: the installation's liveness is its leader Lease.
    LocalCluster backend = new LocalCluster("scale-" + clusters, NAMESPACE,
        OperatorConfig.DEFAULT_REPLACE_FAILING_MEMBER_AFTER, true, operatorJvm(), resync());
    try {
      Scenario scenario = new Scenario(backend);
      Duration allReady;
      Duration afterLastPodReady;
      // Created once the operator leads, as a user creates clusters for a running operator: its start is in the
      // restart figure, not in the time to Ready.
      await("the operator leads").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50))
          .until(() -> leads(scenario));
      warmUp(scenario, backend, Integer.getInteger("bench.scale.warmup", Math.min(clusters, WARM_UP_CLUSTERS)));
      try (BootstrapPhases phases = new BootstrapPhases(scenario.kube(), NAMESPACE)) {
        Map<String, Long> requestsBefore = operatorRequests(scenario);
        double operatorCpu = OperatorMemory.cpuSeconds(backend.operator().pid());
        double machineCpu = OperatorMemory.machineBusySeconds();
        Instant applied = Instant.now();
        for (int i = 0; i < clusters; i++) {
          phases.created(name(i), Instant.now());
          scenario.apply(scenario.oneMemberOnEmptyDir(name(i)));
        }
        await("all " + clusters + " Ready").atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofMillis(100))
            .until(() -> readyCount(scenario) == clusters);
        allReady = Duration.between(applied, Instant.now());
        afterLastPodReady = phases.afterLastPodReady().orElseThrow();
        System.out.printf("%d clusters, bootstrap phases: %s%n", clusters, phases.summary());
        System.out.printf("%d clusters, CPU until all Ready (%.1f s, %d CPUs): the machine busy %.1f s, the operator's "
            + "process %.1f s%n", clusters, allReady.toMillis() / 1000.0, Runtime.getRuntime().availableProcessors(),
            OperatorMemory.machineBusySeconds() - machineCpu,
            OperatorMemory.cpuSeconds(backend.operator().pid()) - operatorCpu);
        Map<String, Long> requests = operatorRequestsSince(scenario, requestsBefore);
        System.out.printf("%d clusters, operator API requests until all Ready: %d, by kind: %s%n", clusters,
            requests.values().stream().mapToLong(Long::longValue).sum(), requests);
      }
      await("all settled").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
          .until(() -> scenario.kube().resources(EtcdCluster.class).inNamespace(NAMESPACE).list().getItems().stream()
              .allMatch(c -> Scenario.hasCondition(c, "Progressing", "False")));
      List<String> names = IntStream.range(0, clusters).mapToObj(ScaleBenchmark::name).toList();
      KubernetesFloor kubernetesFloor = KubernetesFloor.copyOf(scenario.kube(), NAMESPACE, names);

      Map<String, Long> before = operatorRequests(scenario);
      Thread.sleep(IDLE_WINDOW.toMillis()); // a measuring window, not a wait for a condition
      Map<String, Long> idle = operatorRequestsSince(scenario, before);
      idle.replaceAll((kind, count) -> count * Duration.ofMinutes(1).toMillis() / IDLE_WINDOW.toMillis());
      System.out.printf("%d clusters, operator API requests per minute idle, by kind: %s%n", clusters, idle);
      long perMinute = idle.values().stream().mapToLong(Long::longValue).sum();
      OperatorMemory.Sample memory = OperatorMemory.sample(backend.operator());
      long connections = EtcdConnections.heldBy(backend.operator().pid());

      Instant stopped = Instant.now();
      scenario.stopOperator();
      Instant restarted = Instant.now();
      scenario.startOperator();
      await("a cluster taken up again").atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(100))
          .until(() -> renewedSince(scenario, stopped) > 0);
      Duration firstTakenUp = Duration.between(restarted, Instant.now());
      await("every cluster taken up again").atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(250))
          .until(() -> renewedSince(scenario, stopped) == clusters);
      Duration restart = Duration.between(restarted, Instant.now());

      Duration scaleOut = scaleOut(scenario, backend, name(0), clusters + " clusters, idle");

      // One cluster's scale-out while up to ten others are backed up (each filled with 64 MiB first).
      Duration scaleOutDuringBackups = Duration.ZERO;
      List<String> backedUp = new ArrayList<>();
      for (int i = 2; i < Math.min(clusters, 12); i++) {
        backedUp.add(name(i));
      }
      if (!backedUp.isEmpty()) {
        try (BackupLoad backups = new BackupLoad(scenario, backedUp, 64)) {
          backups.start("during-scale-out");
          scaleOutDuringBackups = scaleOut(scenario, backend, name(1), clusters + " clusters, " + backedUp.size()
              + " backups started at the same time");
          System.out.printf("%d clusters: %d of %d backups complete when the scale-out was done%n", clusters,
              backups.complete("during-scale-out"), backedUp.size());
          await("the backups complete").atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(500))
              .until(() -> backups.complete("during-scale-out") == backedUp.size());
        }
      }
      Duration withoutOperator = kubernetesFloor.measure(scenario);
      return new Row(clusters, floor, withoutOperator, allReady, afterLastPodReady, memory.heapUsedMb(),
          memory.rssMb(), perMinute, connections, firstTakenUp, restart, scaleOut, scaleOutDuringBackups,
          backedUp.size());
    } finally {
      NoProcessOutlives.closeAndCheck(backend);
    }
  }

  /**
   * One cluster from 1 to 3 members, until Ready with 3 voters; prints its status's steps, and its first member's
   * log of the members added (the first member leads a one-member cluster: its log shows when etcd took each change).
   */
  private static Duration scaleOut(Scenario scenario, LocalCluster backend, String name, String during) {
    Instant scaling = Instant.now();
    try (MemberTimeline timeline = new MemberTimeline(scenario.kube(), NAMESPACE, name)) {
      scenario.patch(name, c -> {
        c.getSpec().setReplicas(3);
        return c;
      });
      await(name + " Ready with 3 members").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(100))
          .until(() -> {
            EtcdCluster etcd = scenario.get(name);
            return Scenario.hasCondition(etcd, "Ready", "True") && etcd.getStatus().getMembershipChange() == null
                && etcd.getStatus().getMembers().size() == 3
                && etcd.getStatus().getMembers().stream().noneMatch(m -> Boolean.TRUE.equals(m.getLearner()));
          });
      Duration took = Duration.between(scaling, Instant.now());
      System.out.printf("%s: scale-out 1 -> 3 of %s in %d ms, as its status showed it:%n%s%n", during, name,
          took.toMillis(), timeline.render());
      System.out.printf("and as %s-0's etcd logged the members added:%n%s%n", name,
          PeerContacts.read(backend.kubelet().logFile(NAMESPACE, name + "-0"), scaling).render());
      return took;
    }
  }

  private static String name(int i) {
    return "s" + i;
  }

  /**
   * Clusters created, made Ready and deleted before the measured ones, until their pods and etcd processes are gone.
   * The API server, StatefulSet controller and kubelet stand-ins are JVMs (a real cluster's are compiled programs),
   * and the Kubernetes floor runs at the end, on stand-ins warmed by the whole run: without this the bootstrap paid
   * their first compilations and the floor did not. The operator is warmed too, as one that has run clusters before;
   * a cold operator's cost is the restart figure's.
   */
  private static void warmUp(Scenario scenario, LocalCluster backend, int count) {
    if (count <= 0) {
      return;
    }
    Instant start = Instant.now();
    List<String> names = IntStream.range(0, count).mapToObj(i -> "w" + i).toList();
    names.forEach(name -> scenario.apply(scenario.oneMemberOnEmptyDir(name)));
    await("the " + count + " warm-up clusters Ready").atMost(Duration.ofMinutes(10))
        .pollInterval(Duration.ofMillis(250)).until(() -> names.stream().allMatch(name ->
            Scenario.hasCondition(scenario.get(name), "Ready", "True")));
    Duration ready = Duration.between(start, Instant.now());
    names.forEach(scenario::delete);
    await("the warm-up clusters gone").atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(250))
        .until(() -> Stream.concat(KubernetesFloor.leftOf(scenario.kube(), NAMESPACE, names).stream(),
            backend.runningMembers().stream().map(pod -> "etcd of " + pod)).toList(), Matchers.empty());
    System.out.printf("warm-up: %d clusters Ready in %.1f s, gone %.1f s later%n", count, ready.toMillis() / 1000.0,
        Duration.between(start, Instant.now()).minus(ready).toMillis() / 1000.0);
  }

  private static long readyCount(Scenario scenario) {
    return scenario.kube().resources(EtcdCluster.class).inNamespace(NAMESPACE).list().getItems().stream()
        .filter(c -> c.getStatus() != null && Scenario.hasCondition(c, "Ready", "True")).count();
  }

  /**
   * Clusters whose Lease an operator renewed after {@code since}: a restarted operator renews each at its first look.
   */
  private static long renewedSince(Scenario scenario, Instant since) {
    return scenario.kube().resources(Lease.class).inNamespace(NAMESPACE).list().getItems().stream()
        .filter(l -> l.getMetadata().getName().endsWith("-operator")) // the clusters', not the leader election's
        .filter(l -> l.getSpec().getRenewTime() != null && l.getSpec().getRenewTime().toInstant().isAfter(since))
        .count();
  }

  private static boolean leads(Scenario scenario) {
    Lease lease = scenario.kube().resources(Lease.class).inNamespace(NAMESPACE).withName(LEADER_LEASE).get();
    return lease != null && lease.getSpec().getHolderIdentity() != null;
  }

  /** The operator's requests since {@code before} by method and resource, the kinds with none left out. */
  private static Map<String, Long> operatorRequestsSince(Scenario scenario, Map<String, Long> before) {
    Map<String, Long> since = new TreeMap<>(operatorRequests(scenario));
    since.replaceAll((kind, count) -> count - before.getOrDefault(kind, 0L));
    since.values().removeIf(count -> count == 0);
    return since;
  }

  /** The operator's requests so far by method and resource, as the API stand-in counted them. */
  private static Map<String, Long> operatorRequests(Scenario scenario) {
    String counts = scenario.kube().raw(scenario.kube().getMasterUrl().toString().replaceAll("/$", "")
        + "/stand-in/requests");
    Map<?, ?> byAgent = scenario.kube().getKubernetesSerialization().unmarshal(counts, Map.class);
    return byAgent.entrySet().stream().filter(e -> String.valueOf(e.getKey()).startsWith(EtcdOperator.USER_AGENT))
        .collect(Collectors.toMap(e -> String.valueOf(e.getKey()).replaceFirst("^\\S+ ", ""),
            e -> ((Number) e.getValue()).longValue()));
  }

  /** etcd's own floor: N single-member etcd processes, each on its own loopback address, until all are healthy. */
  static final class EtcdFloor {
    private EtcdFloor() {}

    static Duration measure(int count) throws Exception {
      Path dir = Files.createTempDirectory("etcd-floor");
      List<Process> processes = new ArrayList<>();
      try {
        Instant start = Instant.now();
        List<URI> health = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          String host = "127.211." + (i / 200) + "." + (i % 200 + 1);
          String peer = "http://" + host + ":2380";
          processes.add(new ProcessBuilder("etcd", "--name", "m" + i, "--data-dir", dir.resolve("m" + i).toString(),
              "--listen-client-urls", "http://" + host + ":2379", "--advertise-client-urls",
              "http://" + host + ":2379", "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
              "--initial-cluster", "m" + i + "=" + peer).redirectErrorStream(true)
              .redirectOutput(dir.resolve("m" + i + ".log").toFile()).start());
          health.add(URI.create("http://" + host + ":2379/health"));
        }
        await("all " + count + " etcd processes healthy").atMost(Duration.ofMinutes(5))
            .pollInterval(Duration.ofMillis(50)).until(() -> {
              health.removeIf(EtcdFloor::healthy);
              return health.isEmpty();
            });
        return Duration.between(start, Instant.now());
      } finally {
        processes.forEach(Process::destroy);
        for (Process p : processes) {
          p.waitFor();
        }
        ClaimController.deleteRecursively(dir);
      }
    }

    static boolean healthy(URI uri) {
      try {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString()).body().contains("\"health\":\"true\"");
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }
}
