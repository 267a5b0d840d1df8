package dev.etcdoperator.cluster;

import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.AVAILABLE;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.CERTIFICATES_READY;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.DEGRADED;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.MEMBERS_SPREAD;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.PROGRESSING;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.READY;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.VERSION_SUPPORTED;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.MemberStatus;
import dev.etcdoperator.api.v1alpha1.MembershipChange;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.cluster.model.EtcdView;
import dev.etcdoperator.cluster.tls.TlsState;
import dev.etcdoperator.etcd.ClusterObservation;
import dev.etcdoperator.etcd.EtcdAlarm;
import dev.etcdoperator.etcd.EtcdIds;
import dev.etcdoperator.etcd.EtcdMember;
import dev.etcdoperator.etcd.MemberProbe;
import dev.etcdoperator.support.ConditionSet;
import dev.etcdoperator.support.EtcdVersion;
import dev.etcdoperator.support.VersionAdvisories;
import java.net.URI;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/** Computes status from observation only; the same observation always gives the same status. */
public final class ClusterStatusCalculator {
  private ClusterStatusCalculator() {}

  /**
   * What the status is computed from; {@code tls} is empty where a test leaves certificates out.
   *
   * @param templateVersion the etcd version the members' pod template is rendered for
   */
  public record Input(EtcdCluster cluster, ClusterStep step, EtcdView etcd, int pods, int readyPods,
      String selector, boolean formed, Optional<TlsState> tls, Map<String, String> claimUidsByMember,
      Optional<EtcdVersion> templateVersion, Map<String, String> emptyDirPodUidsByMember,
      Optional<MemberPlacement> placement) {

    public Input(EtcdCluster cluster, ClusterStep step, EtcdView etcd, int pods, int readyPods, String selector,
        boolean formed, Optional<TlsState> tls, Map<String, String> claimUidsByMember,
        Optional<EtcdVersion> templateVersion) {
      this(cluster, step, etcd, pods, readyPods, selector, formed, tls, claimUidsByMember, templateVersion, Map.of(),
          Optional.empty());
    }

    public Input(EtcdCluster cluster, ClusterStep step, EtcdView etcd, int pods, int readyPods, String selector,
        boolean formed) {
      this(cluster, step, etcd, pods, readyPods, selector, formed, Optional.empty(), Map.of());
    }

    public Input(EtcdCluster cluster, ClusterStep step, EtcdView etcd, int pods, int readyPods, String selector,
        boolean formed, Optional<TlsState> tls, Map<String, String> claimUidsByMember) {
      this(cluster, step, etcd, pods, readyPods, selector, formed, tls, claimUidsByMember, Optional.empty());
    }
  }

  public static EtcdClusterStatus compute(Input in, Clock clock) {
    EtcdClusterStatus previous = Optional.ofNullable(in.cluster().getStatus()).orElseGet(EtcdClusterStatus::new);
    EtcdClusterStatus status = new EtcdClusterStatus();
    long generation = Optional.ofNullable(in.cluster().getMetadata().getGeneration()).orElse(0L);
    status.setObservedGeneration(generation);
    status.setReplicas(in.pods());
    status.setReadyReplicas(in.readyPods());
    status.setSelector(in.selector());

    Health health = Health.NOT_FORMED;
    if (in.etcd() instanceof EtcdView.Reached reached) {
      ClusterObservation obs = reached.observation();
      List<MemberStatus> members = members(obs, reached.endpointsByPod(), in.claimUidsByMember(),
          in.emptyDirPodUidsByMember(), previous.getMembers());
      status.setMembers(members);
      status.setClusterID(EtcdIds.toHex(obs.clusterId()));
      status.setLeader(members.stream().filter(m -> Boolean.TRUE.equals(m.getLeader())).map(MemberStatus::getName)
          .findFirst().orElse(null));
      // No member's status answered (timeouts): the version did not change by itself; an empty one would make the
      // next restart look like no upgrade at all, and skip the pre-upgrade snapshot.
      status.setCurrentVersion(members.stream().map(MemberStatus::getVersion).map(EtcdVersion::parse)
          .flatMap(Optional::stream).min(Comparator.naturalOrder()).map(EtcdVersion::toString)
          .orElse(previous.getCurrentVersion()));
      health = Health.of(members);
    } else {
      // Keep what we learnt while etcd is unreachable: the cluster ID and version do not change by themselves.
      status.setClusterID(previous.getClusterID());
      status.setCurrentVersion(previous.getCurrentVersion());
      String unknown = in.etcd() instanceof EtcdView.NotAuthenticated ? "not checked: the operator cannot "
          + "authenticate to etcd (see CertificatesReady)" : "etcd did not answer";
      status.setMembers(previous.getMembers().stream().map(m -> markUnknown(m, unknown)).toList());
      if (in.formed()) {
        health = in.etcd() instanceof EtcdView.NotAuthenticated ? Health.UNKNOWN : Health.UNREACHABLE;
      }
    }
    status.setMembershipChange(membershipChange(in.step(), previous.getMembershipChange(), clock));
    ConditionSet conditions = conditions(in, previous, health, versionMismatch(in, status.getMembers()), generation,
        clock);
    in.tls().ifPresent(tls -> {
      status.setCertificates(tls.certificates());
      conditions.set(CERTIFICATES_READY, tls.ready(), tls.reason(), tls.message());
    });
    EtcdVersion.parse(status.getCurrentVersion()).ifPresent(running -> {
      Optional<VersionAdvisories.Advisory> advisory = VersionAdvisories.of(running);
      conditions.set(VERSION_SUPPORTED, advisory.isEmpty(), advisory.map(VersionAdvisories.Advisory::reason)
          .orElse(Reason.SUPPORTED_VERSION), advisory.map(a -> a.message(running)).orElse("etcd " + running
              + " is supported and has every security fix this operator knows of"));
    });
    status.setConditions(conditions.build());
    return status;
  }

  /**
   * The change under way: the one this reconcile works on (keeping its start time), none once the cluster matches
   * its spec, and otherwise whatever was recorded (a restarted operator, a wait between two steps).
   */
  private static MembershipChange membershipChange(ClusterStep step, MembershipChange recorded, Clock clock) {
    return switch (step) {
      case ClusterStep.ChangeMembership change when !change.reason().equals(Reason.ROLLING_OUT) -> {
        MembershipChange current = new MembershipChange(switch (change.reason()) {
          case Reason.SCALING_IN -> MembershipChange.SCALE_IN;
          case Reason.REPLACING_MEMBER -> MembershipChange.REPLACE_MEMBER;
          default -> MembershipChange.SCALE_OUT;
        }, change.action().member(), clock.instant().toString());
        yield current.sameChange(recorded) ? recorded : current;
      }
      case ClusterStep.Done done -> null;
      default -> recorded;
    };
  }

  /**
   * @param claimUids the live volume claim of each member, by member name
   * @param podUids the live pod of each emptyDir member, by member name (empty for volume claims)
   * @param previous the members as last reported, whose recorded claim or pod stays while a member is not healthy
   */
  private static List<MemberStatus> members(ClusterObservation obs, Map<String, URI> endpointsByPod,
      Map<String, String> claimUids, Map<String, String> podUids, List<MemberStatus> previous) {
    long leaderId = obs.leaderId().orElse(0L);
    return obs.members().stream().sorted(Comparator.comparing(EtcdMember::name)).map(member -> {
      MemberStatus m = new MemberStatus();
      m.setName(member.started() ? member.name() : null);
      m.setId(EtcdIds.toHex(member.id()));
      m.setPeerURL(member.peerUrls().isEmpty() ? null : member.peerUrls().get(0).toString());
      m.setClientURL(member.clientUrls().isEmpty() ? null : member.clientUrls().get(0).toString());
      m.setLearner(member.learner());
      m.setLeader(member.id() == leaderId);
      Optional<MemberProbe> probe = probeOf(member, obs, endpointsByPod);
      m.setHealthy(probe.map(MemberProbe::healthy).orElse(false));
      probe.flatMap(MemberProbe::status).ifPresent(s -> {
        m.setVersion(s.version());
        m.setDbSize(s.dbSizeBytes());
        m.setDbSizeInUse(s.dbSizeInUseBytes());
      });
      m.setMessage(probe.isPresent() ? probe.get().error().orElse(null)
          : member.started() ? "member pod is not running" : "member has not started yet");
      // The claim a member first served from healthy stays its record for as long as it is the same member (name and
      // ID): a claim made anew under it later means its data is gone, even when it rejoins and answers healthy.
      m.setVolumeClaimUID(recorded(member, previous, MemberStatus::getVolumeClaimUID)
          .orElse(m.getHealthy() ? claimUids.get(member.name()) : null));
      m.setPodUID(recorded(member, previous, MemberStatus::getPodUID)
          .orElse(m.getHealthy() ? podUids.get(member.name()) : null));
      return m;
    }).toList();
  }

  /** What the status recorded for this same member (name and ID). */
  private static Optional<String> recorded(EtcdMember member, List<MemberStatus> previous,
      Function<MemberStatus, String> field) {
    return previous.stream().filter(p -> member.name().equals(p.getName()) && member.idHex().equals(p.getId()))
        .map(field).filter(Objects::nonNull).findFirst();
  }

  private static Optional<MemberProbe> probeOf(EtcdMember member, ClusterObservation obs,
      Map<String, URI> endpointsByPod) {
    Optional<MemberProbe> byId = obs.probes().values().stream()
        .filter(p -> p.status().map(s -> s.memberId() == member.id()).orElse(false)).findFirst();
    return byId.or(() -> Optional.ofNullable(endpointsByPod.get(member.name())).map(obs.probes()::get));
  }

  /** A copy of what we last knew of a member, marked unknown; the previous status is left as it was. */
  private static MemberStatus markUnknown(MemberStatus old, String message) {
    MemberStatus m = new MemberStatus();
    m.setName(old.getName());
    m.setId(old.getId());
    m.setPeerURL(old.getPeerURL());
    m.setClientURL(old.getClientURL());
    m.setLearner(old.getLearner());
    m.setVersion(old.getVersion());
    m.setDbSize(old.getDbSize());
    m.setDbSizeInUse(old.getDbSizeInUse());
    // Where its data lives stays on record: a loss during the outage is judged against it once etcd answers again.
    m.setVolumeClaimUID(old.getVolumeClaimUID());
    m.setPodUID(old.getPodUID());
    m.setHealthy(false);
    m.setLeader(false);
    m.setMessage(message);
    return m;
  }

  /** Health of the etcd cluster as a whole. */
  private enum Health {
    NOT_FORMED, UNKNOWN, UNREACHABLE, QUORUM_LOST, SOME_UNHEALTHY, ALL_HEALTHY;

    /**
     * A learner that has not started yet (no name: every scale-out and replacement has one for a while) is progress,
     * not ill health; one that cannot start stops the membership change, which says so.
     */
    static Health of(List<MemberStatus> members) {
      List<MemberStatus> voters = members.stream().filter(m -> !Boolean.TRUE.equals(m.getLearner())).toList();
      long healthyVoters = voters.stream().filter(m -> Boolean.TRUE.equals(m.getHealthy())).count();
      if (healthyVoters < voters.size() / 2 + 1) {
        return QUORUM_LOST;
      }
      return members.stream().filter(m -> !(Boolean.TRUE.equals(m.getLearner()) && m.getName() == null))
          .allMatch(m -> Boolean.TRUE.equals(m.getHealthy())) ? ALL_HEALTHY : SOME_UNHEALTHY;
    }
  }

  /**
   * Members that, with nothing left to roll out, run another etcd release than their template is rendered for: an
   * image (spec.image) that is not the release spec.version names. Flags and upgrade checks follow spec.version.
   */
  private static Optional<String> versionMismatch(Input in, List<MemberStatus> members) {
    if (!(in.step() instanceof ClusterStep.Done) || in.templateVersion().isEmpty() || members == null) {
      return Optional.empty();
    }
    EtcdVersion expected = in.templateVersion().get();
    List<String> other = members.stream().filter(m -> m.getName() != null && m.getVersion() != null)
        .filter(m -> !EtcdVersion.parse(m.getVersion()).equals(Optional.of(expected)))
        .map(m -> m.getName() + " runs " + m.getVersion()).toList();
    return other.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", other) + ", but the pod template is "
        + "rendered for etcd " + expected + " (spec.version or the operator's default): spec.image is another "
        + "release. Set spec.version to the release the image holds, so that flags and upgrade checks match it");
  }

  private static ConditionSet conditions(Input in, EtcdClusterStatus previous, Health health,
      Optional<String> versionMismatch, long generation, Clock clock) {
    ConditionSet set = new ConditionSet(previous.getConditions(), generation, clock);
    int desired = Objects.requireNonNullElse(in.cluster().getSpec().getReplicas(), 0);

    switch (health) {
      case ALL_HEALTHY, SOME_UNHEALTHY -> set.set(AVAILABLE, true, Reason.QUORUM_HEALTHY,
          "a quorum of members is healthy and serving");
      case QUORUM_LOST -> set.set(AVAILABLE, false, Reason.QUORUM_LOST,
          "fewer than a quorum of voting members are healthy; the operator will not change membership");
      case UNREACHABLE -> set.set(AVAILABLE, false, Reason.ETCD_UNREACHABLE,
          "no member answered: " + ((in.etcd() instanceof EtcdView.Unreachable u) ? u.error() : "no member pod runs"));
      case NOT_FORMED -> set.set(AVAILABLE, false, Reason.BOOTSTRAPPING, "the cluster has not formed yet");
      case UNKNOWN -> set.setUnknown(AVAILABLE, Reason.CERTIFICATES_NOT_READY, "the operator cannot check etcd: "
          + ((EtcdView.NotAuthenticated) in.etcd()).problem());
    }
    in.placement().ifPresent(p -> set.set(MEMBERS_SPREAD, p.spread(), p.reason(), p.message()));
    Optional<Alarmed> alarmed = Alarmed.of(in.etcd());
    boolean serving = health == Health.ALL_HEALTHY || health == Health.SOME_UNHEALTHY;
    // An alarm is the cluster's state, not quorum loss: the members are healthy, the cluster refuses writes.
    alarmed.filter(a -> serving).ifPresent(a -> set.set(AVAILABLE, false, a.reason(), a.message()));

    switch (in.step()) {
      case ClusterStep.Halt halt -> set.set(PROGRESSING, false, halt.reason(), halt.message());
      case ClusterStep.ApplyObjects apply -> set.set(PROGRESSING, true, apply.reason(),
          "applying " + apply.objects().stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList());
      case ClusterStep.Wait wait -> set.set(PROGRESSING, true, wait.reason(), wait.message());
      case ClusterStep.ChangeMembership change -> set.set(PROGRESSING, true, change.reason(), change.message());
      case ClusterStep.RestartMember restart -> set.set(PROGRESSING, true, restart.reason(), restart.message());
      case ClusterStep.ExpandStorage grow -> set.set(PROGRESSING, true, Reason.EXPANDING_STORAGE,
          "expanding member volumes to " + grow.size());
      case ClusterStep.RestoreMembers restore -> set.set(PROGRESSING, true, Reason.RESTORING, "restoring "
          + restore.source().location() + " (" + restore.source().size() + " bytes) onto members " + restore.ordinals());
      case ClusterStep.Done done -> set.set(PROGRESSING, false, Reason.RECONCILED, "the cluster matches its spec");
    }

    if (in.step() instanceof ClusterStep.Halt halt && (halt.reason().equals(Reason.INVALID_SPEC)
        || halt.reason().equals(Reason.ROLLOUT_STALLED) || halt.reason().equals(Reason.UPGRADE_SNAPSHOT_FAILED)
        || halt.reason().equals(Reason.DOWNGRADE_BLOCKED)
        || halt.reason().equals(Reason.RESTORE_FAILED) || halt.reason().equals(Reason.CERTIFICATES_NOT_READY)
        || halt.reason().equals(Reason.MEMBERSHIP_CHANGE_BLOCKED))) {
      set.set(DEGRADED, true, halt.reason(), halt.message());
    } else if (health == Health.QUORUM_LOST || health == Health.UNREACHABLE) {
      set.set(DEGRADED, true, health == Health.QUORUM_LOST ? Reason.QUORUM_LOST : Reason.ETCD_UNREACHABLE,
          "the cluster cannot serve requests; see the Available condition and status.members");
    } else if (alarmed.isPresent()) {
      set.set(DEGRADED, true, alarmed.get().reason(), alarmed.get().message());
    } else if (versionMismatch.isPresent()) {
      set.set(DEGRADED, true, Reason.VERSION_MISMATCH, versionMismatch.get());
    } else if (health == Health.UNKNOWN) {
      set.set(DEGRADED, true, Reason.CERTIFICATES_NOT_READY, ((EtcdView.NotAuthenticated) in.etcd()).problem());
    } else if (health == Health.SOME_UNHEALTHY) {
      set.set(DEGRADED, true, Reason.MEMBERS_UNHEALTHY, "unhealthy members: " + unhealthy(in));
    } else {
      set.set(DEGRADED, false, Reason.AS_EXPECTED, "no problem observed");
    }

    boolean ready = health == Health.ALL_HEALTHY && in.step() instanceof ClusterStep.Done
        && in.readyPods() == desired && alarmed.isEmpty();
    if (ready) {
      set.set(READY, true, Reason.ALL_MEMBERS_HEALTHY, "all " + desired + " members are healthy");
    } else {
      String reason = switch (in.step()) {
        case ClusterStep.Halt halt -> halt.reason();
        case ClusterStep.Wait wait -> wait.reason();
        case ClusterStep.ApplyObjects apply -> apply.reason();
        case ClusterStep.ChangeMembership change -> change.reason();
        case ClusterStep.RestartMember restart -> restart.reason();
        case ClusterStep.ExpandStorage grow -> Reason.EXPANDING_STORAGE;
        case ClusterStep.RestoreMembers restore -> Reason.RESTORING;
        case ClusterStep.Done done -> health == Health.NOT_FORMED ? Reason.BOOTSTRAPPING
            : alarmed.map(Alarmed::reason).orElse(Reason.MEMBERS_UNHEALTHY);
      };
      set.set(READY, false, reason, in.readyPods() + "/" + desired + " member pods ready");
    }
    return set;
  }

  /** The alarms etcd raised, as a condition reason and message; NOSPACE first, it has a remedy. */
  private record Alarmed(String reason, String message) {
    static Optional<Alarmed> of(EtcdView etcd) {
      if (!(etcd instanceof EtcdView.Reached reached) || reached.observation().alarms().isEmpty()) {
        return Optional.empty();
      }
      List<EtcdAlarm> alarms = reached.observation().alarms();
      String which = String.join(", ", alarms.stream().map(EtcdAlarm::toString).toList());
      if (alarms.stream().anyMatch(a -> a.type().equals(EtcdAlarm.NOSPACE))) {
        return Optional.of(new Alarmed(Reason.NO_SPACE, "etcd raised " + which + ": it serves reads but refuses "
            + "writes until the database is below spec.etcd.quotaBackendBytes again (compact and defragment) and the "
            + "alarm is disarmed; see docs/scaling-and-recovery.md"));
      }
      return Optional.of(new Alarmed(Reason.CORRUPT, "etcd raised " + which + ": a member's data differs from "
          + "the others'; etcd refuses writes. Do not change the cluster; see docs/scaling-and-recovery.md"));
    }
  }

  private static String unhealthy(Input in) {
    return in.etcd() instanceof EtcdView.Reached r
        ? r.observation().members().stream().map(EtcdMember::name).filter(n -> !n.isEmpty() && !isHealthy(r, n))
            .toList().toString()
        : "unknown";
  }

  private static boolean isHealthy(EtcdView.Reached r, String name) {
    URI endpoint = r.endpointsByPod().get(name);
    return endpoint != null && r.observation().probes().containsKey(endpoint)
        && r.observation().probes().get(endpoint).healthy();
  }
}
