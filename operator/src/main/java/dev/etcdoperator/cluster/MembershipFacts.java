package dev.etcdoperator.cluster;

import dev.etcdoperator.etcd.ClusterObservation;
import dev.etcdoperator.etcd.EtcdMember;
import dev.etcdoperator.etcd.MemberProbe;
import dev.etcdoperator.resources.ClusterNames;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What the membership planner needs to know, from etcd (members, their health, the leader) and from the cluster
 * (which member ordinals have a pod, which have a volume claim).
 *
 * @param members etcd's member list
 * @param healthy ids of the members whose probe was healthy
 * @param endpoints each answering member's client endpoint, by member id
 * @param podOrdinals ordinals with a member pod that is not being deleted
 * @param claims volume claims of member ordinals that are not being deleted, by ordinal
 * @param statefulSetReplicas what the StatefulSet runs now
 */
public record MembershipFacts(ClusterNames names, List<EtcdMember> members, Set<Long> healthy,
    Optional<Long> leaderId, Map<Long, URI> endpoints, Set<Integer> podOrdinals, SortedMap<Integer, String> claims,
    int statefulSetReplicas) {

  public MembershipFacts {
    members = List.copyOf(members);
    healthy = Set.copyOf(healthy);
    endpoints = Map.copyOf(endpoints);
    podOrdinals = Set.copyOf(podOrdinals);
    claims = new TreeMap<>(claims);
  }

  static MembershipFacts of(ClusterNames names, ClusterObservation observation, Set<Integer> podOrdinals,
      SortedMap<Integer, String> claims, int statefulSetReplicas) {
    Map<Long, URI> endpoints = observation.probes().values().stream().filter(p -> p.memberId().isPresent())
        .collect(Collectors.toMap(p -> p.memberId().get(), MemberProbe::endpoint, (a, b) -> a));
    Set<Long> healthy = observation.probes().values().stream().filter(MemberProbe::healthy)
        .flatMap(p -> p.memberId().stream()).collect(Collectors.toSet());
    return new MembershipFacts(names, observation.members(), healthy, observation.leaderId(), endpoints,
        podOrdinals, claims, statefulSetReplicas);
  }

  List<EtcdMember> voters() {
    return members.stream().filter(m -> !m.learner()).toList();
  }

  List<EtcdMember> learners() {
    return members.stream().filter(EtcdMember::learner).toList();
  }

  boolean isHealthy(EtcdMember member) {
    return healthy.contains(member.id());
  }

  /**
   * The member's ordinal: from its name, or, for a member added but not started (etcd knows no name yet), from
   * its peer URL ({@code https://<pod>.<peer service>...}). Empty for a member that is not one of ours.
   */
  OptionalInt ordinalOf(EtcdMember member) {
    String name = member.started() ? member.name()
        : member.peerUrls().stream().map(URI::getHost).filter(h -> h != null && h.contains("."))
            .map(h -> h.substring(0, h.indexOf('.'))).findFirst().orElse("");
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

  String nameOf(EtcdMember member) {
    OptionalInt ordinal = ordinalOf(member);
    return ordinal.isPresent() ? names.podName(ordinal.getAsInt()) : member.idHex();
  }

  /** The ordinals of our members, voters and learners, in order. */
  List<Integer> memberOrdinals() {
    return members.stream().map(this::ordinalOf).filter(OptionalInt::isPresent).map(OptionalInt::getAsInt)
        .sorted().toList();
  }

  /** How many pods the StatefulSet must run so that every member has its pod: the highest ordinal plus one. */
  int statefulSetReplicasForMembers() {
    List<Integer> ordinals = memberOrdinals();
    return ordinals.isEmpty() ? 0 : ordinals.get(ordinals.size() - 1) + 1;
  }
}
