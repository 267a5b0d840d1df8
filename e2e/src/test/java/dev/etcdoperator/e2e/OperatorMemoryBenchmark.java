package dev.etcdoperator.e2e;

import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The operator's memory under each of {@link JvmChoices}' JVM settings (a main class, not a test), on the
 * {@code local} backend with the operator in a JVM of its own ({@link OperatorProcess}, leader election on, simulated
 * limit {@code -Dbench.operator.limit}, default 512m). For each N of {@code -Dbench.memory.clusters} (default 10,100)
 * it creates N one-member emptyDir TLS clusters once, then for each setting: starts the operator with it, times its
 * start-up (fork to the first and to every cluster taken up, i.e. its Lease renewed), has it create and delete one more
 * cluster (so it has run the creation and deletion code too, not only the take-over), lets it idle for
 * {@code -Dbench.memory.idle} seconds (default 60) and prints its resident set before and after a full collection,
 * heap after it, CPU used while idle and threads. The last setting's process gets a class histogram; a setting with
 * Native Memory Tracking gets its summary printed.
 *
 * <p>Figures only. {@code ./mvnw -q -Pbench -Dbench.main=dev.etcdoperator.e2e.OperatorMemoryBenchmark -pl e2e -am
 * verify -DskipTests} ({@code -Dbench.memory.settings=serial,g1} for some settings only, {@code image:<flags>} for
 * the image's with flags added).
 */
public final class OperatorMemoryBenchmark {
  private static final String NAMESPACE = "memory";
  private static final int HISTOGRAM_LINES = 30;

  private OperatorMemoryBenchmark() {}

  record Row(int clusters, String setting, Duration firstTakenUp, Duration allTakenUp, double rssIdleMb,
      double rssAfterGcMb, double heapMb, double heapCommittedMb, double nonHeapMb, double idleCpuPercent,
      int threads) {}

  public static void main(String[] args) {
    List<Row> rows = new ArrayList<>();
    try {
      for (String n : System.getProperty("bench.memory.clusters", "10,100").split(",")) {
        rows.addAll(run(Integer.parseInt(n.trim())));
      }
    } catch (Throwable e) {
      System.out.println("memory benchmark: failed: " + e);
      e.printStackTrace();
      printRows(rows);
      System.exit(1);
    }
    printRows(rows);
    System.exit(0);
  }

  private static List<Row> run(int clusters) throws Exception {
    String limit = System.getProperty("bench.operator.limit", "512m");
    Duration idle = Duration.ofSeconds(Long.getLong("bench.memory.idle", 60));
    // With leader election, as deployed (each start is a new pod that takes the leader Lease over).
    LocalCluster backend = new LocalCluster("memory-" + clusters, NAMESPACE,
        OperatorConfig.DEFAULT_REPLACE_FAILING_MEMBER_AFTER, true, OperatorJvm.ofImage());
    List<Row> rows = new ArrayList<>();
    try {
      Scenario scenario = new Scenario(backend);
      OperatorProcess operator = (OperatorProcess) backend.operator();
      System.out.printf("memory benchmark: %d clusters ...%n", clusters);
      for (int i = 0; i < clusters; i++) {
        scenario.apply(scenario.oneMemberOnEmptyDir("m" + i));
      }
      await("all " + clusters + " Ready").atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofMillis(500))
          .until(() -> settledCount(scenario) == clusters);
      int probes = 0;
      for (JvmChoices.Choice choice : selected(JvmChoices.all(limit, backend.workDir()))) {
        if (choice.training() != null) {
          restart(scenario, operator, choice.training(), clusters);
          probe(scenario, "p" + probes++);
        }
        Duration[] startup = restart(scenario, operator, choice.measured(), clusters);
        probe(scenario, "p" + probes++);
        long pid = operator.pid();
        double cpuBefore = OperatorMemory.cpuSeconds(pid);
        Thread.sleep(idle.toMillis()); // a measuring window, not a wait for a condition
        double cpuPercent = (OperatorMemory.cpuSeconds(pid) - cpuBefore) * 100.0 / idle.toSeconds();
        double rssIdle = OperatorMemory.residentSetMb(pid);
        OperatorMemory.Sample after = OperatorMemory.sample(operator);
        Row row = new Row(clusters, choice.name(), startup[0], startup[1], rssIdle, after.rssMb(), after.heapUsedMb(),
            after.heapCommittedMb(), after.nonHeapUsedMb(), cpuPercent, after.threads());
        System.out.println("memory benchmark: " + row);
        rows.add(row);
        if (choice.measured().tracksNativeMemory()) {
          System.out.println("Native memory of '" + choice.name() + "' with " + clusters + " clusters (committed):");
          System.out.println(nativeMemory(pid));
        }
      }
      System.out.printf("Class histogram of the last setting's operator with %d clusters (top %d):%n", clusters,
          HISTOGRAM_LINES);
      OperatorMemory.jcmd(operator.pid(), "GC.class_histogram").lines().limit(HISTOGRAM_LINES + 3)
          .forEach(System.out::println);
      return rows;
    } finally {
      NoProcessOutlives.closeAndCheck(backend);
    }
  }

  /** Stops the running operator and starts it with {@code jvm}: time from the fork to the first and to every Lease. */
  private static Duration[] restart(Scenario scenario, OperatorProcess operator, OperatorJvm jvm, int clusters) {
    scenario.stopOperator();
    Instant stopped = Instant.now();
    operator.use(jvm);
    scenario.startOperator();
    Instant forked = operator.startedAt();
    await("a cluster taken up").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(100))
        .until(() -> renewedSince(scenario, stopped) > 0);
    Duration first = Duration.between(forked, Instant.now());
    await("every cluster taken up").atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(250))
        .until(() -> renewedSince(scenario, stopped) >= clusters);
    return new Duration[] {first, Duration.between(forked, Instant.now())};
  }

  /** One more cluster created until Ready, then deleted until gone. */
  private static void probe(Scenario scenario, String name) {
    scenario.apply(scenario.oneMemberOnEmptyDir(name));
    scenario.awaitReady(name);
    scenario.delete(name);
    await(name + " deleted").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
        .until(() -> scenario.kube().resources(EtcdCluster.class).inNamespace(NAMESPACE).withName(name).get() == null);
  }

  /**
   * The settings named by {@code -Dbench.memory.settings}, in that order (all when empty); {@code image:<flags>}
   * names the image's settings with those JVM flags added, for trying flags that are not among the choices.
   */
  private static List<JvmChoices.Choice> selected(List<JvmChoices.Choice> all) {
    String names = System.getProperty("bench.memory.settings", "");
    if (names.isBlank()) {
      return all;
    }
    return Arrays.stream(names.split(",")).map(String::trim).map(name -> name.startsWith("image:")
        ? new JvmChoices.Choice(OperatorJvm.ofImage().withFlags(name, name.substring("image:".length())), null)
        : all.stream().filter(c -> c.name().equals(name)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no setting named " + name))).toList();
  }

  private static long settledCount(Scenario scenario) {
    return scenario.kube().resources(EtcdCluster.class).inNamespace(NAMESPACE).list().getItems().stream()
        .filter(c -> c.getStatus() != null && Scenario.hasCondition(c, "Ready", "True")
            && Scenario.hasCondition(c, "Progressing", "False")).count();
  }

  private static long renewedSince(Scenario scenario, Instant since) {
    return scenario.kube().resources(Lease.class).inNamespace(NAMESPACE).list().getItems().stream()
        .filter(l -> l.getSpec().getRenewTime() != null && l.getSpec().getRenewTime().toInstant().isAfter(since))
        .count();
  }

  /** The NMT summary's total and per-category committed figures. */
  private static String nativeMemory(long pid) {
    return OperatorMemory.jcmd(pid, "VM.native_memory", "summary", "scale=MB").lines()
        .filter(l -> l.startsWith("Total") || l.matches("^-\\s+\\S.*\\(reserved=.*"))
        .map(String::strip).collect(Collectors.joining("\n"));
  }

  private static void printRows(List<Row> rows) {
    System.out.println();
    System.out.println("etcd-operator memory benchmark, local backend (etcd " + LocalCluster.ETCD_VERSION + ", "
        + Runtime.getRuntime().availableProcessors() + " CPUs, Java " + Runtime.version() + "); the operator in its "
        + "own JVM, limit " + System.getProperty("bench.operator.limit", "512m")
        + "; one-member emptyDir TLS clusters");
    System.out.println("| clusters | setting | start: first taken up (ms) | start: all taken up (ms) | RSS idle (MB) "
        + "| RSS after full GC (MB) | heap after full GC (MB) | heap committed (MB) | non-heap (MB) "
        + "| CPU idle (% of one core) | threads |");
    System.out.println("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (Row r : rows) {
      System.out.printf("| %d | %s | %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %d |%n", r.clusters(),
          r.setting(), r.firstTakenUp().toMillis(), r.allTakenUp().toMillis(), r.rssIdleMb(), r.rssAfterGcMb(),
          r.heapMb(), r.heapCommittedMb(), r.nonHeapMb(), r.idleCpuPercent(), r.threads());
    }
  }
}
