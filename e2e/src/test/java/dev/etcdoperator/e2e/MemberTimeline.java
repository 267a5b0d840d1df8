package dev.etcdoperator.e2e;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.MemberStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One cluster's members as its status shows them, each time they change, with the time since the timeline began:
 * the steps of a scale-out or a rolling restart and what each one cost ("+4.1 s: s0-0 (leader), s0-1 (learner)").
 */
final class MemberTimeline implements AutoCloseable {
  private final Instant start = Instant.now();
  private final List<String> lines = new ArrayList<>();
  private final Watch watch;
  private String last = "";

  MemberTimeline(KubernetesClient kube, String namespace, String cluster) {
    watch = kube.resources(EtcdCluster.class).inNamespace(namespace).withName(cluster).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, EtcdCluster resource) {
        seen(resource);
      }

      @Override
      public void onClose(WatcherException cause) {
        // closed by the benchmark when the step is over
      }
    });
  }

  private synchronized void seen(EtcdCluster cluster) {
    if (cluster.getStatus() == null) {
      return;
    }
    String members = cluster.getStatus().getMembers().stream().map(MemberTimeline::describe)
        .collect(Collectors.joining(", "));
    String ready = Scenario.hasCondition(cluster, "Ready", "True") ? "Ready" : "not Ready";
    String now = members + "; " + ready;
    if (!now.equals(last)) {
      last = now;
      lines.add(String.format("+%.1f s: %s", Duration.between(start, Instant.now()).toMillis() / 1000.0, now));
    }
  }

  private static String describe(MemberStatus m) {
    List<String> flags = new ArrayList<>();
    if (Boolean.TRUE.equals(m.getLearner())) {
      flags.add("learner");
    }
    if (Boolean.TRUE.equals(m.getLeader())) {
      flags.add("leader");
    }
    if (!Boolean.TRUE.equals(m.getHealthy())) {
      flags.add("unhealthy");
    }
    return m.getName() + (flags.isEmpty() ? "" : " (" + String.join(", ", flags) + ")");
  }

  synchronized String render() {
    return String.join(System.lineSeparator(), lines);
  }

  @Override
  public void close() {
    watch.close();
  }
}
