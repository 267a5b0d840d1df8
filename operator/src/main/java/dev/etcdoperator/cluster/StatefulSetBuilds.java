package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.resources.ClusterBlueprint;
import dev.etcdoperator.resources.MemberStatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpec;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each cluster's desired StatefulSet, built again only when what it is built from changes. Building it (the whole
 * pod template, through Fabric8's builders) was a fifth of an idle reconcile's CPU (a flight recording of 100 idle
 * clusters), and the blueprint and the member count rarely change. Each call returns a StatefulSet and spec of its
 * own, so that the reconcile may set fields on the spec (the live object's immutable ones); what lies below the spec
 * is shared between calls and must not be changed.
 */
final class StatefulSetBuilds {
  private record Built(ClusterBlueprint blueprint, int members, StatefulSet statefulSet) {}

  // by the cluster's UID (the blueprint's), so that a cluster made again under the same name starts afresh
  private final Map<String, Built> byCluster = new ConcurrentHashMap<>();

  StatefulSet of(ClusterBlueprint blueprint, int members) {
    Built built = byCluster.get(blueprint.uid());
    if (built == null || built.members() != members || !built.blueprint().equals(blueprint)) {
      built = new Built(blueprint, members, MemberStatefulSetBuilder.build(blueprint, members));
      byCluster.put(blueprint.uid(), built);
    }
    return withOwnSpec(built.statefulSet());
  }

  void forget(EtcdCluster cluster) {
    Optional.ofNullable(cluster.getMetadata().getUid()).ifPresent(byCluster::remove);
  }

  private static StatefulSet withOwnSpec(StatefulSet built) {
    StatefulSetSpec s = built.getSpec();
    StatefulSetSpec spec = new StatefulSetSpec(s.getMinReadySeconds(), s.getOrdinals(),
        s.getPersistentVolumeClaimRetentionPolicy(), s.getPodManagementPolicy(), s.getReplicas(),
        s.getRevisionHistoryLimit(), s.getSelector(), s.getServiceName(), s.getTemplate(), s.getUpdateStrategy(),
        s.getVolumeClaimTemplates());
    s.getAdditionalProperties().forEach(spec::setAdditionalProperty);
    StatefulSet copy = new StatefulSet(built.getApiVersion(), built.getKind(), built.getMetadata(), spec,
        built.getStatus());
    built.getAdditionalProperties().forEach(copy::setAdditionalProperty);
    return copy;
  }
}
