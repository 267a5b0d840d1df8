package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The suite's guarantee that no etcd outlives a scenario class: closes the {@link LocalCluster} and then checks that
 * every process its kubelet ever started is gone, and that no process on this machine still names the run's work
 * directory in its arguments (which every member's data, certificate and config paths are under). Every scenario
 * class calls it from its {@code @AfterAll}.
 */
final class NoProcessOutlives {
  private NoProcessOutlives() {}

  static void closeAndCheck(LocalCluster cluster) {
    if (cluster == null) {
      return;
    }
    List<ContainerProcess> processes = cluster.processes();
    String workDir = cluster.workDir().toString();
    cluster.close();
    await("every etcd process gone").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(processes).noneMatch(ContainerProcess::isAlive);
      assertThat(processesUsing(workDir)).as("processes still using %s", workDir).isEmpty();
    });
  }

  /** pid and command line of every live process whose arguments name {@code path}. */
  static List<String> processesUsing(String path) {
    return processesUsing(path, Set.of());
  }

  /** As {@link #processesUsing(String)}, leaving out the given pids. */
  static List<String> processesUsing(String path, Set<Long> except) {
    return ProcessHandle.allProcesses()
        .filter(p -> !except.contains(p.pid()))
        .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(path)).orElse(false))
        .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
  }
}
