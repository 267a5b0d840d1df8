package dev.etcdoperator.etcd;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Everything the reconciler learns from etcd in one round: the member list and a probe of each member endpoint.
 *
 * @param probes one entry per probed endpoint, in the order the endpoints were given
 * @param alarms the alarms etcd has raised (NOSPACE, CORRUPT): the cluster's state, which leaves members healthy
 */
public record ClusterObservation(long clusterId, List<EtcdMember> members, Map<URI, MemberProbe> probes,
    List<EtcdAlarm> alarms) {

  public ClusterObservation {
    members = List.copyOf(members);
    alarms = List.copyOf(alarms);
    // Keep the caller's endpoint order (Map.copyOf would not): status output stays stable between rounds.
    probes = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(probes, "probes")));
  }

  /**
   * The leader, as long as the healthy members agree on one. Empty while there is no leader, or while members
   * disagree (an election in progress): the caller should wait rather than act on a guess.
   */
  public Optional<Long> leaderId() {
    List<Long> leaders = probes.values().stream()
        .filter(MemberProbe::healthy)
        .flatMap(p -> p.status().stream())
        .map(MemberStatus::leaderId)
        .distinct()
        .toList();
    if (leaders.size() != 1 || leaders.get(0) == 0) {
      return Optional.empty();
    }
    return Optional.of(leaders.get(0));
  }

  public long healthyCount() {
    return probes.values().stream().filter(MemberProbe::healthy).count();
  }

  public Optional<EtcdMember> member(long id) {
    return members.stream().filter(m -> m.id() == id).findFirst();
  }

  @Override
  public String toString() {
    return "ClusterObservation[clusterId=" + EtcdIds.toHex(clusterId) + ", leader="
        + leaderId().map(EtcdIds::toHex).orElse("none") + ", members=" + members + ", probes="
        + probes.values().stream().map(Object::toString).collect(Collectors.joining(", ", "[", "]"))
        + (alarms.isEmpty() ? "" : ", alarms=" + alarms) + "]";
  }
}
