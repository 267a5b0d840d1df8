package dev.etcdoperator.e2e;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One container of a pod (init or regular) as the kubelet stand-in tracks it: its current process, how its last run
 * ended, whether it is restarted (per the pod's restartPolicy), its restart count and its status entry. Probe state
 * is only used for the pod's main container. Mutated by the kubelet's single sync thread only.
 */
final class ContainerRun {
  private static final Logger LOG = LoggerFactory.getLogger(ContainerRun.class);
  static final Duration RESTART_BACKOFF = Duration.ofSeconds(1);
  /** The exit code a runtime reports for a container whose command could not be started. */
  static final int START_ERROR_EXIT_CODE = 128;

  /** How a run ended, as {@code state.terminated} / {@code lastState.terminated} report it. */
  record Terminated(int exitCode, String reason, String message, Instant startedAt, Instant finishedAt,
      String containerId) {
    ContainerState toState() {
      return new ContainerStateBuilder().withNewTerminated().withExitCode(exitCode).withReason(reason)
          .withMessage(message).withStartedAt(startedAt == null ? null : startedAt.toString())
          .withFinishedAt(finishedAt.toString()).withContainerID(containerId).endTerminated().build();
    }
  }

  /** {@code ns/pod}, for the log. */
  private final String pod;
  private final Container spec;
  private final boolean init;
  private final String restartPolicy;
  private ContainerProcess process;
  private Instant startedAt;
  /** The current run's end; with {@link #restarting} it is also the lastState until the restart. */
  private Terminated exited;
  private boolean restarting;
  /** The end of the run before the current one (lastState once restarted). */
  private Terminated last;
  private int restarts;
  private String waiting;
  boolean ready;
  ContainerProbes probes;
  /** The process is being stopped because a liveness or startup probe failed: the exit is a restart. */
  boolean killedByProbe;

  ContainerRun(String pod, Container spec, boolean init, String restartPolicy, String initialWaiting) {
    this.pod = pod;
    this.spec = spec;
    this.init = init;
    this.restartPolicy = restartPolicy == null ? "Always" : restartPolicy;
    this.waiting = initialWaiting;
  }

  Container spec() {
    return spec;
  }

  ContainerProcess process() {
    return process;
  }

  boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Ended and not to be restarted: an init container that completed, or a run restartPolicy does not repeat. */
  boolean isFinal() {
    return exited != null && !restarting;
  }

  boolean succeeded() {
    return isFinal() && exited.exitCode() == 0;
  }

  boolean failed() {
    return isFinal() && exited.exitCode() != 0;
  }

  void started(ContainerProcess process, Instant now, ContainerProbes probes) {
    this.process = process;
    this.startedAt = now;
    this.exited = null;
    this.restarting = false;
    this.waiting = null;
    this.killedByProbe = false;
    this.ready = false;
    this.probes = probes;
  }

  /** The container cannot start now for a reason that may go away (a missing Secret key): it waits. */
  void waitFor(String reason) {
    waiting = reason;
  }

  /** The runtime could not start the command: the run ends at once, as a real runtime's StartError does. */
  void startFailed(Instant now, String message) {
    ended(new Terminated(START_ERROR_EXIT_CODE, "StartError", message, null, now, null));
  }

  /**
   * Notices that the process exited (recording how, with the termination message) and, once the backoff has passed,
   * readies a restart. Returns whether the container is to be started now: never started, or restart due.
   */
  boolean reapAndDue(Instant now) {
    if (process != null && !process.isAlive() && exited == null) {
      int code = process.exitCode();
      String message = code != 0 && "FallbackToLogsOnError".equals(spec.getTerminationMessagePolicy())
          ? process.outputTail() : null;
      ended(new Terminated(code, code == 0 ? "Completed" : "Error", message, startedAt, now,
          Kubelet.CONTAINER_ID_SCHEME + process.pid()));
    }
    if (restarting && Duration.between(exited.finishedAt(), now).compareTo(RESTART_BACKOFF) >= 0) {
      last = exited;
      exited = null;
      restarting = false;
      process = null;
      restarts++;
      waiting = "CrashLoopBackOff";
    }
    return process == null && exited == null;
  }

  private void ended(Terminated end) {
    exited = end;
    ready = false;
    boolean success = end.exitCode() == 0;
    restarting = switch (restartPolicy) {
      case "Never" -> false;
      case "OnFailure" -> !success;
      default -> !init || !success; // Always: an init container that completed is done; anything else runs again
    };
    if (restarting) {
      waiting = "CrashLoopBackOff";
    }
    LOG.info("pod {}: container {} exited with {} ({}){}", pod, spec.getName(), end.exitCode(), end.reason(),
        restarting ? ", restarting" : "");
  }

  int restarts() {
    return restarts;
  }

  ContainerStatus status() {
    boolean running = isRunning();
    var status = new ContainerStatusBuilder().withName(spec.getName()).withImage(spec.getImage())
        .withImageID(spec.getImage()).withRestartCount(restarts).withStarted(running)
        // a completed init container counts as ready, as the kubelet reports it
        .withReady(running && ready || init && succeeded());
    if (process != null) {
      status.withContainerID(Kubelet.CONTAINER_ID_SCHEME + process.pid());
    }
    Terminated lastState = restarting ? exited : last;
    if (lastState != null) {
      status.withLastState(lastState.toState());
    }
    if (running) {
      status.withNewState().withNewRunning().withStartedAt(startedAt.toString()).endRunning().endState();
    } else if (isFinal()) {
      status.withState(exited.toState());
    } else {
      status.withNewState().withNewWaiting().withReason(waiting).endWaiting().endState();
    }
    return status.build();
  }
}
