package dev.etcdoperator.cluster.restore;

import dev.etcdoperator.restore.RestoreStep;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Where the restore of one initial member stands, read from its restore pod. */
sealed interface MemberRestore {
  int MAX_MESSAGE = 400;

  record NotStarted() implements MemberRestore {}

  record Running() implements MemberRestore {}

  record Succeeded() implements MemberRestore {}

  record Failed(String message) implements MemberRestore {}

  static MemberRestore of(Optional<Pod> pod) {
    if (pod.isEmpty() || pod.get().getMetadata().getDeletionTimestamp() != null) {
      return new NotStarted();
    }
    String phase = pod.get().getStatus() == null ? null : pod.get().getStatus().getPhase();
    if ("Succeeded".equals(phase)) {
      return new Succeeded();
    }
    if ("Failed".equals(phase)) {
      return new Failed(whyFailed(pod.get()));
    }
    return new Running();
  }

  /** The first step that exited non-zero, with the last line of its termination message (its last log line). */
  private static String whyFailed(Pod pod) {
    List<ContainerStatus> steps = new ArrayList<>();
    Optional.ofNullable(pod.getStatus().getInitContainerStatuses()).ifPresent(steps::addAll);
    Optional.ofNullable(pod.getStatus().getContainerStatuses()).ifPresent(steps::addAll);
    for (ContainerStatus step : steps) {
      var terminated = step.getState() == null ? null : step.getState().getTerminated();
      if (terminated != null && terminated.getExitCode() != null && terminated.getExitCode() != 0) {
        return "step " + step.getName() + " failed: " + lastLine(terminated.getMessage())
            .orElse("exit code " + terminated.getExitCode() + " (" + terminated.getReason() + ")");
      }
    }
    return "the pod failed: " + Optional.ofNullable(pod.getStatus().getMessage())
        .or(() -> Optional.ofNullable(pod.getStatus().getReason())).orElse("no reason given");
  }

  /** Our steps' last line carries {@link RestoreStep#FAILURE_MARK} and why; another tool's is kept whole. */
  private static Optional<String> lastLine(String message) {
    if (message == null) {
      return Optional.empty();
    }
    List<String> lines = message.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    if (lines.isEmpty()) {
      return Optional.empty();
    }
    String last = lines.get(lines.size() - 1);
    int ours = last.indexOf(RestoreStep.FAILURE_MARK);
    String text = ours >= 0 ? last.substring(ours + RestoreStep.FAILURE_MARK.length()) : last;
    return Optional.of(text.length() > MAX_MESSAGE ? text.substring(0, MAX_MESSAGE) + "..." : text);
  }
}
