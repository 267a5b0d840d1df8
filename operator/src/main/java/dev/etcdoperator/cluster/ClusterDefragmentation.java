package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.DefragmentationReport;
import dev.etcdoperator.api.v1alpha1.DefragmentationRun;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.api.v1alpha1.MaintenanceSpec;
import dev.etcdoperator.api.v1alpha1.MaintenanceStatus;
import dev.etcdoperator.api.v1alpha1.MemberDefragmentation;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.cluster.model.EtcdView;
import dev.etcdoperator.etcd.ClusterObservation;
import dev.etcdoperator.etcd.EtcdClientException;
import dev.etcdoperator.etcd.EtcdMaintenance;
import dev.etcdoperator.etcd.EtcdMember;
import dev.etcdoperator.etcd.MemberProbe;
import dev.etcdoperator.maintenance.DefragmentationOutlook;
import dev.etcdoperator.maintenance.DefragmentationPlanner;
import dev.etcdoperator.maintenance.DefragmentationPlanner.Step;
import dev.etcdoperator.maintenance.MemberUsage;
import dev.etcdoperator.schedule.CronSchedule;
import dev.etcdoperator.schedule.ScheduledRuns;
import dev.etcdoperator.support.EventRecorder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;

/**
 * Carries out {@link DefragmentationPlanner} for one cluster, one step per reconcile, and keeps its record in
 * {@code status.maintenance}: the run under way (so a restarted operator resumes it) and the last one finished.
 */
final class ClusterDefragmentation {
  static final String STARTED = "DefragmentationStarted";
  static final String MEMBER_DEFRAGMENTED = "MemberDefragmented";
  static final String FINISHED = "DefragmentationFinished";
  private static final Duration POLL = Duration.ofSeconds(2);
  private static final Duration AFTER_FAILURE = Duration.ofSeconds(30);
  /**
   * How long one member may take: etcd rewrites its whole file, some seconds per gigabyte on a fast disk; a minute
   * plus the file at 20 MiB/s (7 minutes for etcd's 8 GiB limit) lets a slow disk finish and a hung call give up.
   */
  private static final Duration MEMBER_DEADLINE_BASE = Duration.ofMinutes(1);
  private static final long SLOWEST_BYTES_PER_SECOND = 20L * 1024 * 1024;

  private final KubernetesClient client;
  private final EventRecorder events;
  private final Clock clock;
  private final DefragmentationCalls calls;

  ClusterDefragmentation(KubernetesClient client, EventRecorder events, Clock clock, DefragmentationCalls calls) {
    this.client = client;
    this.events = events;
    this.clock = clock;
    this.calls = calls;
  }

  /** What the Defragmenting condition says: whether a run is under way, and why it is where it is. */
  record State(boolean running, String reason, String message) {}

  /**
   * What this reconcile did: the Defragmenting condition (empty: none, defragmentation is not in use), whether
   * Progressing shows it too (a run that goes on, while nothing else changes the cluster), and when to look again.
   */
  record Outcome(Optional<State> state, boolean inProgressing, Optional<Duration> wakeUp) {
    static final Outcome NONE = new Outcome(Optional.empty(), false, Optional.empty());

    /** Shown in the Defragmenting condition only: Progressing stays with what the cluster does. */
    static Outcome conditionOnly(State state, Optional<Duration> wakeUp) {
      return new Outcome(Optional.of(state), false, wakeUp);
    }

    /** Shown in the Defragmenting condition and in Progressing. */
    static Outcome progressing(State state, Duration wakeUp) {
      return new Outcome(Optional.of(state), true, Optional.of(wakeUp));
    }

    Optional<State> progressingState() {
      return state.filter(s -> inProgressing);
    }
  }

  /** Takes the next step, recording it in {@code status} (the maintenance status being written). */
  Outcome run(EtcdCluster cluster, ClusterStep step, EtcdView etcd, MaintenanceStatus status) {
    Optional<MaintenanceSpec.Defragmentation> spec = Optional.ofNullable(cluster.getSpec().getMaintenance())
        .map(MaintenanceSpec::getDefragmentation);
    boolean requested = "now".equals(Optional.ofNullable(cluster.getMetadata().getAnnotations())
        .map(a -> a.get(MaintenanceSpec.DEFRAGMENT_ANNOTATION)).orElse(null));
    Optional<DefragmentationCalls.Call> call = calls.of(EtcdClusterReconciler.key(cluster));
    if (call.isPresent()) {
      // Whatever else the cluster does meanwhile: one member at a time, so the next step waits for this one.
      return collect(cluster, status, call.get());
    }
    if (spec.isEmpty() && !requested && status.getDefragmentationRun() == null
        && status.getLastDefragmentation() == null) {
      return Outcome.NONE;
    }
    if (!(etcd instanceof EtcdView.Reached reached)) {
      return Outcome.conditionOnly(new State(status.getDefragmentationRun() != null, Reason.ETCD_UNREACHABLE,
          "defragmentation waits until the operator reaches etcd"), Optional.empty());
    }
    Instant now = clock.instant();
    Optional<CronSchedule> schedule;
    try {
      schedule = spec.map(MaintenanceSpec.Defragmentation::getSchedule).map(CronSchedule::parse);
    } catch (CronSchedule.InvalidScheduleException e) {
      return Outcome.NONE; // reported as InvalidSpec by SpecProblems
    }
    Instant since = Optional.ofNullable(status.getLastScheduledDefragmentation()).map(Instant::parse)
        .orElseGet(() -> Instant.parse(cluster.getMetadata().getCreationTimestamp()));
    DefragmentationPlanner.Policy policy = new DefragmentationPlanner.Policy(schedule,
        spec.map(MaintenanceSpec.Defragmentation::getThreshold)
            .map(t -> new DefragmentationPlanner.Threshold(t.getFragmentedPercent(), t.getReclaimableBytes())));
    List<MemberUsage> usage = usage(reached.observation());
    DefragmentationPlanner.Input input = new DefragmentationPlanner.Input(policy, usage,
        reached.observation().leaderId(), busy(step),
        Optional.ofNullable(status.getDefragmentationRun()).map(ClusterDefragmentation::run), since, requested, now);
    Step next = DefragmentationPlanner.next(input);
    Optional<Instant> slot = schedule.flatMap(s -> ScheduledRuns.due(s, since, now));
    if (slot.isPresent() && (next instanceof Step.Start || next instanceof Step.Idle)) {
      status.setLastScheduledDefragmentation(slot.get().toString());
    }
    return switch (next) {
      case Step.Idle idle -> Outcome.conditionOnly(idle(policy, usage, status, now),
          schedule.flatMap(s -> s.nextAfter(now)).map(t -> Duration.between(now, t).plusSeconds(1)));
      // A run waiting for another change leaves Progressing to that change; one waiting for health says so.
      case Step.Hold hold -> status.getDefragmentationRun() == null || !(step instanceof ClusterStep.Done)
          ? Outcome.conditionOnly(new State(status.getDefragmentationRun() != null, hold.reason(), hold.message()),
              Optional.of(POLL))
          : Outcome.progressing(new State(true, hold.reason(), hold.message()), POLL);
      case Step.Start start -> start(cluster, status, start, requested, now);
      case Step.Pause pause -> progress(status, "waiting for the member defragmented last to catch up",
          Duration.between(now, pause.until()));
      case Step.MoveLeader move -> moveLeader(cluster, status, move, reached);
      case Step.Defragment defragment -> defragment(cluster, status, defragment.member(), reached);
      case Step.Finish finish -> {
        finish(cluster, status, now);
        yield Outcome.conditionOnly(idle(policy, usage, status, now), Optional.empty());
      }
    };
  }

  private static State idle(DefragmentationPlanner.Policy policy, List<MemberUsage> usage, MaintenanceStatus status,
      Instant now) {
    DefragmentationOutlook.Idle idle = DefragmentationOutlook.idle(policy, usage,
        Optional.ofNullable(status.getLastScheduledDefragmentation()).map(Instant::parse),
        Optional.ofNullable(status.getLastDefragmentation()).map(DefragmentationReport::getTrigger), now);
    return new State(false, idle.reason(), idle.message());
  }

  private Outcome start(EtcdCluster cluster, MaintenanceStatus status, Step.Start start, boolean requested,
      Instant now) {
    DefragmentationRun run = new DefragmentationRun();
    run.setStartedAt(now.toString());
    run.setTrigger(start.trigger());
    run.setMembers(start.members());
    status.setDefragmentationRun(run);
    if (requested) {
      client.resource(cluster).edit(c -> {
        c.getMetadata().getAnnotations().remove(MaintenanceSpec.DEFRAGMENT_ANNOTATION);
        return c;
      });
    }
    events.record(cluster, EventRecorder.Type.Normal, STARTED, "defragmenting " + String.join(", ", start.members())
        + " one at a time (" + start.trigger() + ")");
    return progress(status, "starting: " + start.trigger(), POLL);
  }

  private Outcome moveLeader(EtcdCluster cluster, MaintenanceStatus status, Step.MoveLeader move,
      EtcdView.Reached reached) {
    Optional<URI> leader = Optional.ofNullable(reached.endpointsByPod().get(move.from()));
    if (leader.isEmpty()) {
      return progress(status, "waiting to reach leader " + move.from(), POLL);
    }
    try {
      reached.client().moveLeader(leader.get(), move.toId());
    } catch (EtcdClientException e) {
      return failed(cluster, status, "moving leadership from " + move.from() + " to " + move.to() + " failed: "
          + e.getMessage());
    }
    events.record(cluster, EventRecorder.Type.Normal, "LeaderMoved", "moved leadership from " + move.from() + " to "
        + move.to() + " before defragmenting " + move.from());
    return progress(status, "moved leadership from " + move.from() + " to " + move.to(), POLL);
  }

  /** Starts the member's defragmentation on a thread of its own; {@link #collect} records how it ended. */
  private Outcome defragment(EtcdCluster cluster, MaintenanceStatus status, String member,
      EtcdView.Reached reached) {
    Optional<URI> endpoint = Optional.ofNullable(reached.endpointsByPod().get(member));
    if (endpoint.isEmpty()) {
      return progress(status, "waiting to reach " + member, POLL);
    }
    long size = usage(reached.observation()).stream().filter(m -> m.name().equals(member))
        .mapToLong(MemberUsage::dbSizeBytes).findFirst().orElse(0L);
    Duration deadline = MEMBER_DEADLINE_BASE.plusSeconds(size / SLOWEST_BYTES_PER_SECOND);
    calls.start(EtcdClusterReconciler.key(cluster), status.getDefragmentationRun().getStartedAt(), member,
        () -> reached.client().maintenance().defragment(endpoint.get(), deadline));
    return progress(status, "defragmenting " + member, POLL);
  }

  /** A defragmentation started earlier: still running, or done and recorded now. */
  private Outcome collect(EtcdCluster cluster, MaintenanceStatus status, DefragmentationCalls.Call call) {
    DefragmentationRun run = status.getDefragmentationRun();
    boolean ofThisRun = run != null && call.runStartedAt().equals(run.getStartedAt());
    if (call.running()) {
      return ofThisRun ? progress(status, "defragmenting " + call.member(), POLL)
          : new Outcome(Optional.empty(), false, Optional.of(POLL));
    }
    calls.forget(EtcdClusterReconciler.key(cluster));
    if (!ofThisRun) {
      return Outcome.NONE;
    }
    EtcdMaintenance.Defragmented result;
    try {
      result = call.result().join();
    } catch (CompletionException e) {
      String why = e.getCause() instanceof EtcdClientException etcd ? etcd.getMessage() : String.valueOf(e.getCause());
      return failed(cluster, status, "defragmenting " + call.member() + " failed: " + why);
    }
    MemberDefragmentation done = new MemberDefragmentation();
    done.setMember(call.member());
    done.setBytesBefore(result.bytesBefore());
    done.setBytesAfter(result.bytesAfter());
    done.setDurationMillis(result.took().toMillis());
    done.setFinishedAt(clock.instant().toString());
    List<MemberDefragmentation> doneSoFar = new ArrayList<>(run.getDone());
    doneSoFar.add(done);
    run.setDone(doneSoFar);
    events.record(cluster, EventRecorder.Type.Normal, MEMBER_DEFRAGMENTED, "defragmented " + call.member() + ": "
        + result.bytesBefore() + " -> " + result.bytesAfter() + " bytes in " + result.took().toMillis() + " ms");
    return progress(status, "defragmented " + call.member(), DefragmentationPlanner.PAUSE);
  }

  void forget(EtcdCluster cluster) {
    calls.forget(EtcdClusterReconciler.key(cluster));
  }

  /** The member whose defragmentation is running now, if one is: other changes to the cluster wait for it. */
  Optional<String> defragmenting(EtcdCluster cluster) {
    return calls.running(EtcdClusterReconciler.key(cluster));
  }

  private void finish(EtcdCluster cluster, MaintenanceStatus status, Instant now) {
    DefragmentationRun run = status.getDefragmentationRun();
    DefragmentationReport report = new DefragmentationReport();
    report.setStartedAt(run.getStartedAt());
    report.setFinishedAt(now.toString());
    report.setTrigger(run.getTrigger());
    report.setMembers(run.getDone());
    status.setLastDefragmentation(report);
    status.setDefragmentationRun(null);
    long before = run.getDone().stream().mapToLong(MemberDefragmentation::getBytesBefore).sum();
    long after = run.getDone().stream().mapToLong(MemberDefragmentation::getBytesAfter).sum();
    events.record(cluster, EventRecorder.Type.Normal, FINISHED, "defragmented " + run.getDone().size()
        + " members: " + before + " -> " + after + " bytes in all");
  }

  private Outcome failed(EtcdCluster cluster, MaintenanceStatus status, String message) {
    events.record(cluster, EventRecorder.Type.Warning, Reason.DEFRAGMENTATION_FAILED, message + " (will retry)");
    return Outcome.progressing(new State(true, Reason.DEFRAGMENTATION_FAILED, message + " (will retry)"),
        AFTER_FAILURE);
  }

  private static Outcome progress(MaintenanceStatus status, String message, Duration wakeUp) {
    DefragmentationRun run = status.getDefragmentationRun();
    String text = "defragmentation (" + run.getTrigger() + "), " + run.getDone().size() + " of "
        + run.getMembers().size() + " members done: " + message;
    return Outcome.progressing(new State(true, Reason.DEFRAGMENTING, text), wakeUp.isNegative() ? POLL : wakeUp);
  }

  /** What else changes the cluster now: a defragmentation waits for it. */
  private static Optional<String> busy(ClusterStep step) {
    return switch (step) {
      case ClusterStep.Done done -> Optional.empty();
      case ClusterStep.Wait wait -> Optional.of(wait.message());
      case ClusterStep.Halt halt -> Optional.of(halt.message());
      case ClusterStep.ChangeMembership change -> Optional.of(change.message());
      case ClusterStep.RestartMember restart -> Optional.of(restart.message());
      case ClusterStep.ApplyObjects apply -> Optional.of("the cluster's objects are being applied");
      case ClusterStep.RestoreMembers restore -> Optional.of("members are being restored");
      case ClusterStep.ExpandStorage grow -> Optional.of("member volumes are being expanded");
    };
  }

  static List<MemberUsage> usage(ClusterObservation observed) {
    Map<Long, MemberProbe> probes = new HashMap<>();
    observed.probes().values().forEach(p -> p.memberId().ifPresent(id -> probes.put(id, p)));
    List<MemberUsage> members = new ArrayList<>();
    for (EtcdMember member : observed.members()) {
      Optional<MemberProbe> probe = Optional.ofNullable(probes.get(member.id()));
      members.add(new MemberUsage(member.name(), member.id(), member.learner(),
          probe.map(MemberProbe::healthy).orElse(false),
          probe.flatMap(MemberProbe::status).map(s -> s.dbSizeBytes()).orElse(0L),
          probe.flatMap(MemberProbe::status).map(s -> s.dbSizeInUseBytes()).orElse(0L)));
    }
    return members;
  }

  private static DefragmentationPlanner.Run run(DefragmentationRun run) {
    return new DefragmentationPlanner.Run(Instant.parse(run.getStartedAt()), run.getTrigger(), run.getMembers(),
        run.getDone().stream().map(MemberDefragmentation::getMember).toList(),
        run.getDone().stream().map(MemberDefragmentation::getFinishedAt).reduce((a, b) -> b).map(Instant::parse));
  }
}
