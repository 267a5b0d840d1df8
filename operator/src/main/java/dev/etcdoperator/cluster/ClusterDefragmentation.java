package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.DefragmentationReport;
import dev.etcdoperator.api.v1alpha1.DefragmentationRun;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
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

/**
 * Carries out {@link DefragmentationPlanner} for one cluster, one step per reconcile, and keeps its record in
 * {@code status.maintenance}: the run under way (so a restarted operator resumes it) and the last one finished.
 */
final class ClusterDefragmentation {
  static final String STARTED = "DefragmentationStarted";
  static final String MEMBER_DEFRAGMENTED = "MemberDefragmented";
  static final String FINISHED = "DefragmentationFinished";
  static final String FAILED = "DefragmentationFailed";
  static final String DEFRAGMENTING = "Defragmenting";
  private static final Duration POLL = Duration.ofSeconds(2);
  private static final Duration AFTER_FAILURE = Duration.ofSeconds(30);
  /** How long one member may take: etcd rewrites its whole file, some seconds per gigabyte. */
  private static final Duration MEMBER_DEADLINE = Duration.ofMinutes(10);

  private final KubernetesClient client;
  private final EventRecorder events;
  private final Clock clock;

  ClusterDefragmentation(KubernetesClient client, EventRecorder events, Clock clock) {
    this.client = client;
    this.events = events;
    this.clock = clock;
  }

  /** What this reconcile did: how Progressing shows a run under way, and when to look again. */
  record Outcome(Optional<String> progressingReason, Optional<String> progressingMessage, Optional<Duration> wakeUp) {
    static final Outcome NONE = new Outcome(Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** Takes the next step, recording it in {@code status} (the maintenance status being written). */
  Outcome run(EtcdCluster cluster, ClusterStep step, EtcdView etcd, MaintenanceStatus status) {
    Optional<MaintenanceSpec.Defragmentation> spec = Optional.ofNullable(cluster.getSpec().getMaintenance())
        .map(MaintenanceSpec::getDefragmentation);
    boolean requested = "now".equals(Optional.ofNullable(cluster.getMetadata().getAnnotations())
        .map(a -> a.get(MaintenanceSpec.DEFRAGMENT_ANNOTATION)).orElse(null));
    if ((spec.isEmpty() && !requested && status.getDefragmentationRun() == null)
        || !(etcd instanceof EtcdView.Reached reached)) {
      return Outcome.NONE;
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
    DefragmentationPlanner.Input input = new DefragmentationPlanner.Input(
        new DefragmentationPlanner.Policy(schedule, spec.map(MaintenanceSpec.Defragmentation::getThreshold)
            .map(t -> new DefragmentationPlanner.Threshold(t.getFragmentedPercent(), t.getReclaimableBytes()))),
        usage(reached.observation()), reached.observation().leaderId(), busy(step),
        Optional.ofNullable(status.getDefragmentationRun()).map(ClusterDefragmentation::run), since, requested, now);
    Step next = DefragmentationPlanner.next(input);
    Optional<Instant> slot = schedule.flatMap(s -> ScheduledRuns.due(s, since, now));
    if (slot.isPresent() && (next instanceof Step.Start || next instanceof Step.Idle)) {
      status.setLastScheduledDefragmentation(slot.get().toString());
    }
    return switch (next) {
      case Step.Idle idle -> new Outcome(Optional.empty(), Optional.empty(),
          schedule.flatMap(s -> s.nextAfter(now)).map(t -> Duration.between(now, t).plusSeconds(1)));
      // A run waiting for another change leaves Progressing to that change; one waiting for health says so.
      case Step.Hold hold -> status.getDefragmentationRun() == null || !(step instanceof ClusterStep.Done)
          ? Outcome.NONE
          : new Outcome(Optional.of(hold.reason()), Optional.of(hold.message()), Optional.of(POLL));
      case Step.Start start -> start(cluster, status, start, requested, now);
      case Step.Pause pause -> progress(status, "waiting for the member defragmented last to catch up",
          Duration.between(now, pause.until()));
      case Step.MoveLeader move -> moveLeader(cluster, status, move, reached);
      case Step.Defragment defragment -> defragment(cluster, status, defragment.member(), reached, now);
      case Step.Finish finish -> finish(cluster, status, now);
    };
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

  private Outcome defragment(EtcdCluster cluster, MaintenanceStatus status, String member, EtcdView.Reached reached,
      Instant now) {
    Optional<URI> endpoint = Optional.ofNullable(reached.endpointsByPod().get(member));
    if (endpoint.isEmpty()) {
      return progress(status, "waiting to reach " + member, POLL);
    }
    EtcdMaintenance.Defragmented result;
    try {
      result = reached.client().maintenance().defragment(endpoint.get(), MEMBER_DEADLINE);
    } catch (EtcdClientException e) {
      return failed(cluster, status, "defragmenting " + member + " failed: " + e.getMessage());
    }
    MemberDefragmentation done = new MemberDefragmentation();
    done.setMember(member);
    done.setBytesBefore(result.bytesBefore());
    done.setBytesAfter(result.bytesAfter());
    done.setDurationMillis(result.took().toMillis());
    done.setFinishedAt(clock.instant().toString());
    List<MemberDefragmentation> doneSoFar = new ArrayList<>(status.getDefragmentationRun().getDone());
    doneSoFar.add(done);
    status.getDefragmentationRun().setDone(doneSoFar);
    events.record(cluster, EventRecorder.Type.Normal, MEMBER_DEFRAGMENTED, "defragmented " + member + ": "
        + result.bytesBefore() + " -> " + result.bytesAfter() + " bytes in " + result.took().toMillis() + " ms");
    return progress(status, "defragmented " + member, DefragmentationPlanner.PAUSE);
  }

  private Outcome finish(EtcdCluster cluster, MaintenanceStatus status, Instant now) {
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
    return new Outcome(Optional.empty(), Optional.empty(), Optional.empty());
  }

  private Outcome failed(EtcdCluster cluster, MaintenanceStatus status, String message) {
    events.record(cluster, EventRecorder.Type.Warning, FAILED, message + " (will retry)");
    return new Outcome(Optional.of(FAILED), Optional.of(message + " (will retry)"),
        Optional.of(AFTER_FAILURE));
  }

  private static Outcome progress(MaintenanceStatus status, String message, Duration wakeUp) {
    DefragmentationRun run = status.getDefragmentationRun();
    return new Outcome(Optional.of(DEFRAGMENTING), Optional.of("defragmentation (" + run.getTrigger()
        + "), " + run.getDone().size() + " of " + run.getMembers().size() + " members done: " + message),
        Optional.of(wakeUp.isNegative() ? POLL : wakeUp));
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
