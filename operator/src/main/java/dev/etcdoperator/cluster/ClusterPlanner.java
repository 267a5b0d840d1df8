package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.List;

/** Chooses the single next step from what was observed (GUIDE §4). Pure: no client, no clock. */
public final class ClusterPlanner {
  static final Duration BOOTSTRAP_POLL = Duration.ofSeconds(5);
  static final Duration PODS_POLL = Duration.ofSeconds(10);

  private ClusterPlanner() {}

  /**
   * @param drifted owned objects that are missing or out of shape, in apply order
   * @param anyMissing whether one of them does not exist yet
   * @param formed whether the etcd cluster has formed (bootstrap is over)
   */
  public record Input(List<String> specProblems, boolean paused, List<HasMetadata> drifted, boolean anyMissing,
      boolean formed, int desiredMembers, int readyPods) {}

  public static ClusterStep plan(Input in) {
    if (!in.specProblems().isEmpty()) {
      return new ClusterStep.Halt(Reason.INVALID_SPEC, String.join("; ", in.specProblems()));
    }
    if (in.paused()) {
      return new ClusterStep.Halt(Reason.PAUSED, "reconciliation is paused: no changes are made");
    }
    if (!in.drifted().isEmpty()) {
      return new ClusterStep.ApplyObjects(in.drifted(),
          in.anyMissing() ? Reason.CREATING_RESOURCES : Reason.UPDATING_RESOURCES);
    }
    if (!in.formed()) {
      return new ClusterStep.Wait(BOOTSTRAP_POLL, Reason.BOOTSTRAPPING,
          "waiting for the members to form the cluster (" + in.readyPods() + "/" + in.desiredMembers()
              + " pods ready)");
    }
    if (in.readyPods() < in.desiredMembers()) {
      return new ClusterStep.Wait(PODS_POLL, Reason.WAITING_FOR_PODS,
          in.readyPods() + "/" + in.desiredMembers() + " member pods ready");
    }
    return new ClusterStep.Done();
  }
}
