package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.MaintenanceSpec;
import dev.etcdoperator.api.v1alpha1.MaintenanceStatus;
import dev.etcdoperator.api.v1alpha1.NoSpaceRecoveryStatus;
import dev.etcdoperator.cluster.model.EtcdView;
import dev.etcdoperator.etcd.EtcdAlarm;
import dev.etcdoperator.etcd.EtcdClientException;
import dev.etcdoperator.etcd.EtcdMaintenance;
import dev.etcdoperator.maintenance.NoSpaceRecovery;
import dev.etcdoperator.maintenance.NoSpaceRecovery.Step;
import dev.etcdoperator.support.EventRecorder;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Carries out {@link NoSpaceRecovery} for one cluster, one step per reconcile, recording the attempt in
 * {@code status.maintenance} so that a restarted operator goes on where it was.
 */
final class ClusterNoSpace {
  static final String STARTED = "NoSpaceRecoveryStarted";
  static final String DISARMED = "NoSpaceDisarmed";
  static final String DATA_FILLS_QUOTA = "NoSpaceDataFillsQuota";
  static final String FAILED = "NoSpaceRecoveryFailed";
  /** etcd's default backend quota when spec.etcd.quotaBackendBytes is not set. */
  static final long DEFAULT_QUOTA_BYTES = 2L * 1024 * 1024 * 1024;
  private static final Duration POLL = Duration.ofSeconds(2);
  private static final Duration MEMBER_DEADLINE = Duration.ofMinutes(10);

  private final EventRecorder events;
  private final Clock clock;

  ClusterNoSpace(EventRecorder events, Clock clock) {
    this.events = events;
    this.clock = clock;
  }

  /**
   * @param active whether a recovery holds the members (defragmentation waits for it)
   * @param degradedMessage what Degraded (reason NoSpace) should say instead of the bare alarm, when there is more
   */
  record Outcome(boolean active, Optional<String> degradedMessage, Optional<Duration> wakeUp) {
    static final Outcome NONE = new Outcome(false, Optional.empty(), Optional.empty());
  }

  Outcome run(EtcdCluster cluster, EtcdView etcd, MaintenanceStatus status) {
    if (!(etcd instanceof EtcdView.Reached reached)) {
      return Outcome.NONE;
    }
    Optional<MaintenanceSpec.NoSpace> spec = Optional.ofNullable(cluster.getSpec().getMaintenance())
        .map(MaintenanceSpec::getNoSpace);
    List<EtcdAlarm> alarms = reached.observation().alarms().stream()
        .filter(a -> EtcdAlarm.NOSPACE.equals(a.type())).toList();
    if (!spec.map(MaintenanceSpec.NoSpace::getRecover).orElse(true)) {
      return Outcome.NONE;
    }
    Instant now = clock.instant();
    long quota = Optional.ofNullable(cluster.getSpec().getEtcd()).map(e -> e.getQuotaBackendBytes())
        .filter(q -> q > 0).orElse(DEFAULT_QUOTA_BYTES);
    Optional<NoSpaceRecoveryStatus> recorded = Optional.ofNullable(status.getNoSpaceRecovery());
    NoSpaceRecovery.Input input = new NoSpaceRecovery.Input(!alarms.isEmpty(), quota,
        spec.map(MaintenanceSpec.NoSpace::getDisarmBelowPercent).orElse(NoSpaceRecovery.DEFAULT_DISARM_BELOW_PERCENT),
        ClusterDefragmentation.usage(reached.observation()), reached.observation().leaderId(),
        recorded.map(r -> new NoSpaceRecovery.Attempt(Instant.parse(r.getStartedAt()),
            Boolean.TRUE.equals(r.getCompacted()), r.getDefragmented())),
        // The throttle is for the same quota: once it was raised (which rolls the members), try again at once.
        Optional.ofNullable(status.getLastNoSpaceRecoveryEnded()).map(Instant::parse)
            .filter(t -> Optional.ofNullable(status.getLastNoSpaceRecoveryQuota()).orElse(quota) == quota), now);
    try {
      return switch (NoSpaceRecovery.next(input)) {
        case Step.Nothing nothing -> {
          status.setNoSpaceRecovery(null); // the alarm went (disarmed here or by hand)
          yield Outcome.NONE;
        }
        case Step.Throttled throttled -> new Outcome(false, Optional.of(throttled.message()),
            Optional.of(Duration.between(now, throttled.until()).plusSeconds(1)));
        case Step.Start start -> {
          NoSpaceRecoveryStatus attempt = new NoSpaceRecoveryStatus();
          attempt.setStartedAt(now.toString());
          attempt.setCompacted(false);
          status.setNoSpaceRecovery(attempt);
          events.record(cluster, EventRecorder.Type.Warning, STARTED, "NOSPACE: compacting, defragmenting every "
              + "member and disarming once the database is under " + input.disarmBelowPercent() + "% of its quota");
          yield active("starting");
        }
        case Step.Compact compact -> {
          EtcdMaintenance maintenance = reached.client().maintenance();
          URI any = reached.endpointsByPod().values().iterator().next();
          long revision = maintenance.revision(any);
          maintenance.compact(revision);
          status.getNoSpaceRecovery().setCompacted(true);
          yield active("compacted to revision " + revision);
        }
        case Step.MoveLeader move when !reached.endpointsByPod().containsKey(move.from()) ->
            active("waiting to reach " + move.from());
        case Step.MoveLeader move -> {
          reached.client().moveLeader(reached.endpointsByPod().get(move.from()), move.toId());
          yield active("moved leadership from " + move.from() + " to " + move.to());
        }
        case Step.Defragment defragment when !reached.endpointsByPod().containsKey(defragment.member()) ->
            active("waiting to reach " + defragment.member());
        case Step.Defragment defragment -> {
          EtcdMaintenance.Defragmented result = reached.client().maintenance()
              .defragment(reached.endpointsByPod().get(defragment.member()), MEMBER_DEADLINE);
          List<String> done = new ArrayList<>(status.getNoSpaceRecovery().getDefragmented());
          done.add(defragment.member());
          status.getNoSpaceRecovery().setDefragmented(done);
          yield active("defragmented " + defragment.member() + " (" + result.bytesBefore() + " -> "
              + result.bytesAfter() + " bytes)");
        }
        case Step.Disarm disarm -> {
          alarms.forEach(reached.client().maintenance()::disarmNoSpace);
          ended(status, now, quota);
          events.record(cluster, EventRecorder.Type.Normal, DISARMED, "NOSPACE disarmed after compaction and "
              + "defragmentation: the cluster takes writes again");
          yield new Outcome(false, Optional.empty(), Optional.of(POLL));
        }
        case Step.DataFillsQuota full -> {
          ended(status, now, quota);
          events.record(cluster, EventRecorder.Type.Warning, DATA_FILLS_QUOTA, full.message());
          yield new Outcome(false, Optional.of(full.message()), Optional.of(NoSpaceRecovery.ATTEMPT_INTERVAL));
        }
      };
    } catch (EtcdClientException e) {
      events.record(cluster, EventRecorder.Type.Warning, FAILED, "NOSPACE recovery step failed: " + e.getMessage()
          + " (will retry)");
      return new Outcome(true, Optional.of("NOSPACE recovery step failed: " + e.getMessage() + " (will retry)"),
          Optional.of(Duration.ofSeconds(30)));
    }
  }

  private static Outcome active(String what) {
    return new Outcome(true, Optional.of("NOSPACE recovery under way: " + what), Optional.of(POLL));
  }

  private static void ended(MaintenanceStatus status, Instant now, long quota) {
    status.setNoSpaceRecovery(null);
    status.setLastNoSpaceRecoveryEnded(now.toString());
    status.setLastNoSpaceRecoveryQuota(quota);
  }
}
