package dev.etcdoperator.e2e;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The containers of one pod in the kubelet's order: {@code spec.initContainers} one after another, each to
 * completion, then {@code containers[0]} (the stand-in runs only the first regular container). Applies the pod's
 * restartPolicy ({@link ContainerRun}) and derives what the pod status says of them: phase, conditions, and the init
 * and regular container statuses. A failed init container under restartPolicy Never fails the pod, and nothing after
 * it runs.
 */
final class PodContainers {
  private final List<ContainerRun> init;
  private final ContainerRun main;

  /** @param pod {@code ns/name}, for the log */
  PodContainers(String pod, PodSpec spec) {
    String policy = spec.getRestartPolicy();
    this.init = Optional.ofNullable(spec.getInitContainers()).orElse(List.of()).stream()
        .map(c -> new ContainerRun(pod, c, true, policy, "PodInitializing")).toList();
    this.main = new ContainerRun(pod, spec.getContainers().get(0), false, policy,
        init.isEmpty() ? "ContainerCreating" : "PodInitializing");
  }

  ContainerRun main() {
    return main;
  }

  /** Init containers first, then the main one. */
  private Stream<ContainerRun> all() {
    return Stream.concat(init.stream(), Stream.of(main));
  }

  /**
   * Notices exits and due restarts, and returns the container to start now, if any: the first init container that
   * has not completed, else the main one; none while a container runs or backs off, nor once the pod is done.
   */
  Optional<ContainerRun> next(Instant now) {
    for (ContainerRun run : init) {
      boolean due = run.reapAndDue(now);
      if (run.succeeded()) {
        continue;
      }
      return due ? Optional.of(run) : Optional.empty();
    }
    return main.reapAndDue(now) ? Optional.of(main) : Optional.empty();
  }

  boolean initialized() {
    return init.stream().allMatch(ContainerRun::succeeded);
  }

  /** The process started last (at most one of a pod's processes runs at a time). */
  Optional<ContainerProcess> latestProcess() {
    return all().map(ContainerRun::process).filter(Objects::nonNull).reduce((first, second) -> second);
  }

  /** Every process of the pod that is still alive. */
  List<ContainerProcess> liveProcesses() {
    return all().filter(ContainerRun::isRunning).map(ContainerRun::process).toList();
  }

  /**
   * Failed: an init container or the main one ended for good with a non-zero code; Succeeded: the main one ended for
   * good with 0; Running: the main one runs or has been restarted; Pending before that (init containers running).
   */
  String phase() {
    if (init.stream().anyMatch(ContainerRun::failed) || main.failed()) {
      return "Failed";
    }
    if (main.succeeded()) {
      return "Succeeded";
    }
    return main.isRunning() || main.restarts() > 0 ? "Running" : "Pending";
  }

  /** Succeeded or Failed: nothing of the pod runs again. */
  boolean terminal() {
    String phase = phase();
    return phase.equals("Succeeded") || phase.equals("Failed");
  }

  List<PodCondition> conditions() {
    boolean done = main.isFinal();
    boolean ready = main.isRunning() && main.ready;
    List<String> incomplete = init.stream().filter(r -> !r.succeeded()).map(r -> r.spec().getName()).toList();
    List<PodCondition> conditions = new ArrayList<>();
    conditions.add(condition("PodScheduled", true, null, null));
    conditions.add(incomplete.isEmpty() ? condition("Initialized", true, done ? "PodCompleted" : null, null)
        : condition("Initialized", false, "ContainersNotInitialized",
            "containers with incomplete status: [" + String.join(" ", incomplete) + "]"));
    String notReady = done ? "PodCompleted" : null;
    conditions.add(condition("ContainersReady", ready, ready ? null : notReady, null));
    conditions.add(condition("Ready", ready, ready ? null : notReady, null));
    return conditions;
  }

  private static PodCondition condition(String type, boolean value, String reason, String message) {
    return new PodConditionBuilder().withType(type).withStatus(value ? "True" : "False").withReason(reason)
        .withMessage(message).build();
  }

  List<ContainerStatus> initContainerStatuses() {
    return init.stream().map(ContainerRun::status).toList();
  }

  List<ContainerStatus> containerStatuses() {
    return List.of(main.status());
  }
}
