package dev.etcdoperator.e2e;

import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Benchmark entry point (a main class, not a test) on the {@code local} backend: for 1, 3 and 5 members, each on a
 * fresh {@link LocalCluster} (they share the run's DNS hosts file, so they run one after the other), prints
 *
 * <ul>
 *   <li>the time from applying the {@code EtcdCluster} to observing its status {@code Ready=True} (polled every
 *       50 ms, so the figure is at most 50 ms late);</li>
 *   <li>the operator's share of it: from the moment the last member pod became {@code Ready} (the latest
 *       {@code Ready=True} {@code lastTransitionTime} of the pods, written by the kubelet stand-in with millisecond
 *       precision) to status {@code Ready=True};</li>
 *   <li>the heap used after settling ({@code Available=True}, {@code Progressing=False}, then {@code System.gc()}):
 *       the operator runs in this JVM together with the StatefulSet, kubelet and garbage-collector stand-ins (the API
 *       server stand-in is its own process), so the figure bounds the operator's heap from above; the heap of the
 *       same JVM before the apply (operator started, no cluster yet) is printed next to it.</li>
 * </ul>
 *
 * <p>Then, on a fresh three-member cluster: the time from raising spec.replicas to 5 until status is Ready with five
 * voting members, and back to 3, with the time per member.
 *
 * <p>Figures only: nothing is asserted on time. Run through e2e/pom.xml's {@code bench} profile, which passes the
 * system properties the surefire configuration passes to the scenarios:
 * {@code ./mvnw -q -Pbench -pl e2e -am verify -DskipTests}.
 */
public final class LocalBenchmark {
  private static final int[] SIZES = {1, 3, 5};
  private static final String NAMESPACE = "bench";
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

  private LocalBenchmark() {}

  record Row(int members, Duration applyToReady, Duration operatorShare, double heapBeforeMb, double heapSettledMb) {}

  /** The rolling restart measured on the scaling cluster. */
  private static Duration rollout;

  /** The backend of the size being measured, closed by the shutdown hook if the run is interrupted. */
  private static volatile LocalCluster current;

  public static void main(String[] args) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LocalCluster running = current;
      if (running != null) {
        running.close();
      }
    }, "benchmark-shutdown"));
    List<Row> rows = new ArrayList<>();
    List<ScaleRow> scaling = new ArrayList<>();
    try {
      for (int members : SIZES) {
        System.out.printf("benchmark: %d member(s) ...%n", members);
        rows.add(run(members));
      }
      System.out.println("benchmark: scaling 3 -> 5 -> 3 ...");
      scaling.addAll(scale(3, 5));
    } catch (Throwable e) {
      System.out.println("benchmark: failed: " + e);
      e.printStackTrace();
      System.exit(1);
    }
    System.out.println();
    System.out.println("etcd-operator benchmark, local backend (etcd " + LocalCluster.ETCD_VERSION + ", "
        + Runtime.getRuntime().availableProcessors() + " CPUs, Java " + Runtime.version() + ")");
    System.out.println("| members | apply -> Ready (ms) | operator share: last pod Ready -> Ready (ms) "
        + "| heap before apply (MB) | heap after settling (MB) |");
    System.out.println("| ---: | ---: | ---: | ---: | ---: |");
    for (Row row : rows) {
      System.out.printf("| %d | %d | %d | %.1f | %.1f |%n", row.members(), row.applyToReady().toMillis(),
          row.operatorShare().toMillis(), row.heapBeforeMb(), row.heapSettledMb());
    }
    System.out.println("Heap: this JVM after System.gc() (operator + StatefulSet/kubelet/GC stand-ins; the API "
        + "server stand-in runs in its own process).");
    System.out.println();
    System.out.println("| scaling | members changed | spec change -> Ready (ms) | per member (ms) |");
    System.out.println("| --- | ---: | ---: | ---: |");
    for (ScaleRow row : scaling) {
      System.out.printf("| %d -> %d | %d | %d | %d |%n", row.from(), row.to(), Math.abs(row.to() - row.from()),
          row.took().toMillis(), row.took().toMillis() / Math.abs(row.to() - row.from()));
    }
    System.out.println("Scaling: one member at a time (learner added, caught up, promoted; removal highest first), "
        + "until status is Ready with the new voting members and no membership change recorded.");
    if (rollout != null) {
      System.out.println();
      System.out.println("| rolling restart (version change) | members | spec change -> rolled out (ms) | per member (ms) |");
      System.out.println("| --- | ---: | ---: | ---: |");
      System.out.printf("| 3.4.23 -> 3.4.22 | 3 | %d | %d |%n", rollout.toMillis(), rollout.toMillis() / 3);
    }
    // Every LocalCluster is closed and checked above; non-daemon client threads must not keep the JVM alive.
    System.exit(0);
  }

  private static Row run(int members) {
    LocalCluster cluster = new LocalCluster("bench-" + members, NAMESPACE,
        OperatorConfig.DEFAULT_REPLACE_FAILING_MEMBER_AFTER);
    current = cluster;
    try {
      Scenario scenario = new Scenario(cluster);
      String name = "bench" + members;
      double heapBefore = heapUsedMb();
      Instant applied = Instant.now();
      scenario.apply(scenario.tlsCluster(name, members));
      await(name + " Ready").atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(50))
          .until(() -> Scenario.hasCondition(scenario.get(name), "Ready", "True"));
      Instant ready = Instant.now();
      Instant lastPodReady = lastPodReady(scenario, name, members);

      await(name + " settled").atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(250)).until(() -> {
        EtcdCluster etcd = scenario.get(name);
        return Scenario.hasCondition(etcd, "Available", "True") && Scenario.hasCondition(etcd, "Progressing", "False");
      });
      double heapSettled = heapUsedMb();
      Duration share = lastPodReady.isAfter(ready) ? Duration.ZERO : Duration.between(lastPodReady, ready);
      return new Row(members, Duration.between(applied, ready), share, heapBefore, heapSettled);
    } finally {
      NoProcessOutlives.closeAndCheck(cluster);
      current = null;
    }
  }

  record ScaleRow(int from, int to, Duration took) {}

  /** A Ready cluster of {@code from} members scaled to {@code to} and back, each way timed to Ready. */
  private static List<ScaleRow> scale(int from, int to) {
    LocalCluster cluster = new LocalCluster("bench-scale", NAMESPACE,
        OperatorConfig.DEFAULT_REPLACE_FAILING_MEMBER_AFTER);
    current = cluster;
    try {
      Scenario scenario = new Scenario(cluster);
      String name = "scale";
      scenario.apply(scenario.tlsCluster(name, from));
      scenario.awaitReady(name);
      List<ScaleRow> rows = List.of(new ScaleRow(from, to, resize(scenario, name, to)),
          new ScaleRow(to, from, resize(scenario, name, from)));
      rollout = rollOut(scenario, name, "3.4.22");
      return rows;
    } finally {
      NoProcessOutlives.closeAndCheck(cluster);
      current = null;
    }
  }

  /** The rolling restart of every member onto another version, from the spec change to all rolled out. */
  private static Duration rollOut(Scenario scenario, String name, String version) {
    String before = scenario.kube().apps().statefulSets().inNamespace(scenario.namespace()).withName(name).get()
        .getStatus().getUpdateRevision();
    Instant start = Instant.now();
    MemberTimeline timeline = new MemberTimeline(scenario.kube(), scenario.namespace(), name);
    scenario.patch(name, c -> {
      c.getSpec().setVersion(version);
      return c;
    });
    try (timeline) {
      await(name + " rolled out to " + version).atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(50))
          .until(() -> {
            EtcdCluster etcd = scenario.get(name);
            var sts = scenario.kube().apps().statefulSets().inNamespace(scenario.namespace()).withName(name).get();
            String revision = sts.getStatus() == null ? null : sts.getStatus().getUpdateRevision();
            return Scenario.hasCondition(etcd, "Ready", "True") && etcd.getStatus().getRollout() == null
                && revision != null && !revision.equals(before)
                && scenario.kube().pods().inNamespace(scenario.namespace())
                    .withLabel("app.kubernetes.io/instance", name).list().getItems().stream()
                    .allMatch(p -> revision.equals(p.getMetadata().getLabels().get("controller-revision-hash")));
          });
      System.out.printf("rolling restart to %s, as the status showed it:%n%s%n", version, timeline.render());
    }
    return Duration.between(start, Instant.now());
  }

  private static Duration resize(Scenario scenario, String name, int replicas) {
    Instant start = Instant.now();
    MemberTimeline timeline = new MemberTimeline(scenario.kube(), scenario.namespace(), name);
    scenario.patch(name, c -> {
      c.getSpec().setReplicas(replicas);
      return c;
    });
    try (timeline) {
      await(name + " Ready with " + replicas + " members").atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(50))
          .until(() -> {
            EtcdCluster etcd = scenario.get(name);
            return Scenario.hasCondition(etcd, "Ready", "True") && etcd.getStatus().getMembershipChange() == null
                && etcd.getStatus().getMembers().size() == replicas
                && etcd.getStatus().getMembers().stream().noneMatch(m -> Boolean.TRUE.equals(m.getLearner()));
          });
      System.out.printf("scaling to %d members, as the status showed it:%n%s%n", replicas, timeline.render());
    }
    return Duration.between(start, Instant.now());
  }

  /** The latest {@code Ready=True} transition among the cluster's pods. */
  private static Instant lastPodReady(Scenario scenario, String name, int members) {
    Instant last = Instant.EPOCH;
    for (int ordinal = 0; ordinal < members; ordinal++) {
      String podName = name + "-" + ordinal;
      Pod pod = scenario.pod(podName);
      Optional<Instant> readyAt = Optional.ofNullable(pod).map(Pod::getStatus)
          .flatMap(s -> s.getConditions().stream().filter(c -> "Ready".equals(c.getType()))
              .filter(c -> "True".equals(c.getStatus())).findFirst())
          .map(PodCondition::getLastTransitionTime).map(Instant::parse);
      Instant at = readyAt.orElseThrow(() -> new IllegalStateException("pod " + podName + " is not Ready"));
      if (at.isAfter(last)) {
        last = at;
      }
    }
    return last;
  }

  /** Heap in use after two full collections (MB). */
  static double heapUsedMb() {
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
  }
}
