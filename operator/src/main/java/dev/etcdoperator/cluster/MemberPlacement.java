package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Whether one node's loss would take the cluster's quorum with it. The default anti-affinity only prefers other
 * nodes (a small or busy cluster still schedules the members), so two of three members may share a node; the status
 * says so rather than leave it to be found in an outage.
 *
 * @param spread no node runs more members than the cluster can lose
 */
record MemberPlacement(boolean spread, String reason, String message) {

  /** Empty below three members (there is no node loss to survive) or while a member pod is not on a node yet. */
  static Optional<MemberPlacement> of(List<Pod> memberPods) {
    List<Pod> live = memberPods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    if (live.size() < 3 || live.stream().anyMatch(p -> p.getSpec() == null || p.getSpec().getNodeName() == null)) {
      return Optional.empty();
    }
    int members = live.size();
    int tolerated = members - (members / 2 + 1);
    Map<String, List<String>> byNode = live.stream().collect(Collectors.groupingBy(p -> p.getSpec().getNodeName(),
        TreeMap::new, Collectors.mapping(p -> p.getMetadata().getName(), Collectors.toList())));
    Optional<Map.Entry<String, List<String>>> crowded = byNode.entrySet().stream()
        .filter(e -> e.getValue().size() > tolerated).findFirst();
    if (crowded.isPresent()) {
      List<String> names = crowded.get().getValue().stream().sorted().toList();
      return Optional.of(new MemberPlacement(false, Reason.MEMBERS_SHARE_A_NODE, "node " + crowded.get().getKey()
          + " runs " + String.join(", ", names) + ": losing it would lose the quorum (" + names.size() + " of "
          + members + " members). The default anti-affinity only prefers other nodes; spec.podTemplate.affinity "
          + "can require them"));
    }
    return Optional.of(new MemberPlacement(true, Reason.NODE_LOSS_TOLERATED, "no node runs more members than the "
        + "cluster can lose (" + tolerated + " of " + members + ")"));
  }
}
