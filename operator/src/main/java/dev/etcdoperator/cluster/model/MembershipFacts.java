package dev.etcdoperator.cluster.model;

import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.MemberStatus;
import dev.etcdoperator.api.v1alpha1.MembershipChange;
import dev.etcdoperator.etcd.ClusterObservation;
import dev.etcdoperator.etcd.EtcdMember;
import dev.etcdoperator.etcd.MemberProbe;
import dev.etcdoperator.resources.ClusterNames;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What the membership planner needs to know, from etcd (members, their health, the leader), from the cluster (which
 * member ordinals have a pod, which pods keep failing, which have a volume claim) and from the status (the claim each
 * member's data was last seen on, the change under way).
 *
 * @param members etcd's member list
 * @param healthy ids of the members whose probe was healthy
 * @param endpoints each answering member's client endpoint, by member id
 * @param pods UIDs of the member pods that are not being deleted, by ordinal
 * @param failingPods ordinals whose pod has not been Ready for a long while and keeps restarting
 * @param pendingPods ordinals whose pod has not started (phase Pending)
 * @param claims volume claims of member ordinals that are not being deleted, by ordinal
 * @param statefulSetReplicas what the StatefulSet runs now
 * @param recordedClaimUids the claim UID each member's data was last seen on, by member name
 * @param recordedPodUids the pod UID each emptyDir member's data was last seen on, by member name
 * @param intent the membership change recorded as under way
 * @param failingAfter how long a failing pod has not been Ready
 */
public record MembershipFacts(ClusterNames names, List<EtcdMember> members, Set<Long> healthy,
    Optional<Long> leaderId, Map<Long, URI> endpoints, SortedMap<Integer, String> pods, Set<Integer> failingPods,
    Set<Integer> pendingPods, SortedMap<Integer, MemberClaim> claims, int statefulSetReplicas,
    Map<String, String> recordedClaimUids, Map<String, String> recordedPodUids, Optional<MembershipChange> intent,
    Duration failingAfter) {

  /** A member's volume claim. */
  public record MemberClaim(String name, String uid) {}

  public MembershipFacts {
    members = List.copyOf(members);
    healthy = Set.copyOf(healthy);
    endpoints = Map.copyOf(endpoints);
    pods = new TreeMap<>(pods);
    failingPods = Set.copyOf(failingPods);
    pendingPods = Set.copyOf(pendingPods);
    claims = new TreeMap<>(claims);
    recordedClaimUids = Map.copyOf(recordedClaimUids);
    recordedPodUids = Map.copyOf(recordedPodUids);
  }

  public static MembershipFacts of(ClusterNames names, ClusterObservation observation, MemberObjects objects,
      int statefulSetReplicas, Optional<EtcdClusterStatus> status) {
    Map<Long, URI> endpoints = observation.probes().values().stream().filter(p -> p.memberId().isPresent())
        .collect(Collectors.toMap(p -> p.memberId().get(), MemberProbe::endpoint, (a, b) -> a));
    Set<Long> healthy = observation.probes().values().stream().filter(MemberProbe::healthy)
        .flatMap(p -> p.memberId().stream()).collect(Collectors.toSet());
    return new MembershipFacts(names, observation.members(), healthy, observation.leaderId(), endpoints,
        objects.pods(), objects.failingPods(), objects.pendingPods(), objects.claims(), statefulSetReplicas,
        recorded(status, MemberStatus::getVolumeClaimUID), recorded(status, MemberStatus::getPodUID),
        status.map(EtcdClusterStatus::getMembershipChange), objects.failingAfter());
  }

  private static Map<String, String> recorded(Optional<EtcdClusterStatus> status,
      Function<MemberStatus, String> uid) {
    return status.map(EtcdClusterStatus::getMembers).orElse(List.of()).stream()
        .filter(m -> m.getName() != null && uid.apply(m) != null)
        .collect(Collectors.toMap(MemberStatus::getName, uid, (a, b) -> a));
  }

  /**
   * Why the member's data is gone, if it is: its claim was deleted (and perhaps made anew), or (emptyDir) its pod was
   * made anew; either way the member came back empty, or cannot come back at all.
   */
  public Optional<String> dataLoss(EtcdMember member) {
    OptionalInt ordinal = ordinalOf(member);
    if (ordinal.isEmpty()) {
      return Optional.empty();
    }
    String recordedClaim = recordedClaimUids.get(nameOf(member));
    MemberClaim claim = claims.get(ordinal.getAsInt());
    if (recordedClaim != null && claim != null && !recordedClaim.equals(claim.uid())) {
      return Optional.of("its volume claim was made anew");
    }
    if (recordedClaim != null && claim == null && pendingPods.contains(ordinal.getAsInt()) && !isHealthy(member)) {
      // A pod made while its old claim was being deleted waits, Pending, for a claim nothing makes again
      // (kubernetes/kubernetes#74374). A healthy member is left alone: a claim it still runs on is not yet gone. So is
      // one whose pod has started: that is the old pod, whose deletion the cache may not show yet, and the StatefulSet
      // makes the next one with a claim, which the rule above then sees.
      return Optional.of("its volume claim was deleted");
    }
    String recordedPod = recordedPodUids.get(nameOf(member));
    String pod = pods.get(ordinal.getAsInt());
    if (recordedPod != null && pod != null && !recordedPod.equals(pod)) {
      return Optional.of("its pod was made anew, and its storage is emptyDir");
    }
    return Optional.empty();
  }

  /** The same facts without these ordinals among the failing pods (their failure is not the member's). */
  public MembershipFacts withoutFailing(Set<Integer> ordinals) {
    Set<Integer> failing = new java.util.HashSet<>(failingPods);
    failing.removeAll(ordinals);
    return new MembershipFacts(names, members, healthy, leaderId, endpoints, pods, failing, pendingPods, claims,
        statefulSetReplicas, recordedClaimUids, recordedPodUids, intent, failingAfter);
  }

  public boolean keepsFailing(EtcdMember member) {
    OptionalInt ordinal = ordinalOf(member);
    return ordinal.isPresent() && failingPods.contains(ordinal.getAsInt());
  }

  /** The member a recorded ReplaceMember change is about, when there is one. */
  public Optional<MembershipChange> replacement() {
    return intent.filter(c -> MembershipChange.REPLACE_MEMBER.equals(c.getOperation()));
  }

  public List<EtcdMember> voters() {
    return members.stream().filter(m -> !m.learner()).toList();
  }

  public List<EtcdMember> learners() {
    return members.stream().filter(EtcdMember::learner).toList();
  }

  public boolean isHealthy(EtcdMember member) {
    return healthy.contains(member.id());
  }

  /**
   * The member's ordinal: from its name, or, for a member added but not started (etcd knows no name yet), from
   * its peer URL ({@code https://<pod>.<peer service>...}). Empty for a member that is not one of ours.
   */
  public OptionalInt ordinalOf(EtcdMember member) {
    return ordinalOf(member.started() ? member.name()
        : member.peerUrls().stream().map(URI::getHost).filter(h -> h != null && h.contains("."))
            .map(h -> h.substring(0, h.indexOf('.'))).findFirst().orElse(""));
  }

  /** The ordinal in a member (pod) name {@code <cluster>-<ordinal>}. */
  public OptionalInt ordinalOf(String name) {
    String prefix = names.statefulSet() + "-";
    if (!name.startsWith(prefix)) {
      return OptionalInt.empty();
    }
    try {
      return OptionalInt.of(Integer.parseInt(name.substring(prefix.length())));
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }

  public String nameOf(EtcdMember member) {
    OptionalInt ordinal = ordinalOf(member);
    return ordinal.isPresent() ? names.podName(ordinal.getAsInt()) : member.idHex();
  }

  /** The ordinals of our members, voters and learners, in order. */
  public List<Integer> memberOrdinals() {
    return members.stream().map(this::ordinalOf).filter(OptionalInt::isPresent).map(OptionalInt::getAsInt)
        .sorted().toList();
  }

  /**
   * How many pods the StatefulSet must run so that every member has its pod: the highest ordinal plus one, counting
   * a member being replaced (removed from etcd, about to join again) as a member.
   */
  public int statefulSetReplicasForMembers() {
    int highest = memberOrdinals().stream().mapToInt(Integer::intValue).max().orElse(-1);
    OptionalInt replaced = replacement().map(c -> ordinalOf(c.getMember())).orElse(OptionalInt.empty());
    return Math.max(highest, replaced.orElse(-1)) + 1;
  }
}
