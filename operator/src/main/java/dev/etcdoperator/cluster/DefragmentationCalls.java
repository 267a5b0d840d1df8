package dev.etcdoperator.cluster;

import dev.etcdoperator.etcd.EtcdMaintenance;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The defragmentations running now, at most one per cluster. Each runs on a virtual thread of its own: a member
 * rewrites its whole file meanwhile (seconds per gigabyte), and no reconcile thread waits for that. Kept in memory
 * only: after an operator restart the run's status still names the member, which is simply defragmented again.
 */
final class DefragmentationCalls {
  /** One member's defragmentation, for the run that started at {@code runStartedAt}. */
  record Call(String runStartedAt, String member, CompletableFuture<EtcdMaintenance.Defragmented> result) {
    boolean running() {
      return !result.isDone();
    }
  }

  private final Map<String, Call> calls = new ConcurrentHashMap<>();

  void start(String cluster, String runStartedAt, String member, Supplier<EtcdMaintenance.Defragmented> work) {
    calls.put(cluster, new Call(runStartedAt, member, CompletableFuture.supplyAsync(work,
        task -> Thread.ofVirtual().name("defragment " + cluster + " " + member).start(task))));
  }

  Optional<Call> of(String cluster) {
    return Optional.ofNullable(calls.get(cluster));
  }

  /** The member of the cluster whose defragmentation has not answered yet, if one has not. */
  Optional<String> running(String cluster) {
    return of(cluster).filter(Call::running).map(Call::member);
  }

  void forget(String cluster) {
    calls.remove(cluster);
  }
}
