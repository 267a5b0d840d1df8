package dev.etcdoperator.cluster;

import dev.etcdoperator.resources.BootstrapConfig;
import dev.etcdoperator.resources.BootstrapConfig.InitialClusterState;
import dev.etcdoperator.resources.BootstrapConfigMapBuilder;
import dev.etcdoperator.resources.ClientServiceBuilder;
import dev.etcdoperator.resources.ClusterBlueprint;
import dev.etcdoperator.resources.MemberStatefulSetBuilder;
import dev.etcdoperator.resources.PeerServiceBuilder;
import dev.etcdoperator.resources.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.BiFunction;

/** The owned objects a cluster should have now, in the order they must be applied. */
final class DesiredObjects {
  private DesiredObjects() {}

  /**
   * @param existingConfig the bootstrap ConfigMap as it is; its token is never rewritten, nor, until the cluster
   *     has formed, its member list, since members started from them
   * @param formed whether the cluster has formed: from then on no member may start with initial-cluster-state=new
   * @param memberCount how many member pods the StatefulSet should run; empty when that is not known, and then no
   *     StatefulSet is wanted (one that exists is left as it is)
   * @param memberOrdinals the ordinals of etcd's members (voters and learners), when etcd answered: a member that
   *     joins a formed cluster needs them all in its initial cluster
   * @param guardedMembers how many members the PodDisruptionBudget keeps a quorum of
   */
  static List<HasMetadata> of(ClusterBlueprint blueprint, Optional<ConfigMap> existingConfig,
      Optional<StatefulSet> existingStatefulSet, boolean formed, OptionalInt memberCount,
      Optional<List<Integer>> memberOrdinals, int guardedMembers) {
    return of(blueprint, existingConfig, existingStatefulSet, formed, memberCount, memberOrdinals, guardedMembers,
        MemberStatefulSetBuilder::build);
  }

  /** @param statefulSets builds the StatefulSet for a member count; the result's spec is changed here */
  static List<HasMetadata> of(ClusterBlueprint blueprint, Optional<ConfigMap> existingConfig,
      Optional<StatefulSet> existingStatefulSet, boolean formed, OptionalInt memberCount,
      Optional<List<Integer>> memberOrdinals, int guardedMembers,
      BiFunction<ClusterBlueprint, Integer, StatefulSet> statefulSets) {
    BootstrapConfig bootstrap = bootstrapOf(existingConfig, blueprint);
    if (formed) {
      bootstrap = bootstrap.withState(InitialClusterState.EXISTING);
      if (memberOrdinals.isPresent() && !memberOrdinals.get().isEmpty()) {
        bootstrap = new BootstrapConfig(BootstrapConfig.initialClusterOf(blueprint, memberOrdinals.get()),
            InitialClusterState.EXISTING, bootstrap.token());
      }
    }
    List<HasMetadata> desired = new ArrayList<>(List.of(BootstrapConfigMapBuilder.build(blueprint, bootstrap),
        PeerServiceBuilder.build(blueprint), ClientServiceBuilder.build(blueprint)));
    if (memberCount.isPresent()) {
      StatefulSet statefulSet = statefulSets.apply(blueprint, memberCount.getAsInt());
      existingStatefulSet.ifPresent(live -> keepImmutableFields(statefulSet, live));
      desired.add(statefulSet);
    }
    desired.add(PodDisruptionBudgetBuilder.build(blueprint, guardedMembers));
    return desired;
  }

  /** The bootstrap values members started (or will start) with: the ConfigMap's, else the initial ones. */
  static BootstrapConfig bootstrapOf(Optional<ConfigMap> existingConfig, ClusterBlueprint blueprint) {
    return existingConfig.flatMap(DesiredObjects::bootstrapOf).orElseGet(() -> BootstrapConfig.initial(blueprint));
  }

  static Optional<BootstrapConfig> bootstrapOf(ConfigMap configMap) {
    Map<String, String> data = Optional.ofNullable(configMap.getData()).orElse(Map.of());
    String members = data.get(BootstrapConfigMapBuilder.INITIAL_CLUSTER_KEY);
    String token = data.get(BootstrapConfigMapBuilder.INITIAL_CLUSTER_TOKEN_KEY);
    Optional<InitialClusterState> state =
        InitialClusterState.parse(data.get(BootstrapConfigMapBuilder.INITIAL_CLUSTER_STATE_KEY));
    if (members == null || token == null || state.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new BootstrapConfig(members, state.get(), token));
  }

  static int bootstrapMemberCount(BootstrapConfig config) {
    return config.initialCluster().split(",").length;
  }

  /**
   * The API server refuses changes to these StatefulSet fields; applying them would fail on every reconcile.
   * Storage growth is validated in {@link SpecProblems} and needs the PVCs expanded, not the template.
   */
  private static void keepImmutableFields(StatefulSet desired, StatefulSet live) {
    desired.getSpec().setVolumeClaimTemplates(live.getSpec().getVolumeClaimTemplates());
    desired.getSpec().setSelector(live.getSpec().getSelector());
    desired.getSpec().setServiceName(live.getSpec().getServiceName());
    desired.getSpec().setPodManagementPolicy(live.getSpec().getPodManagementPolicy());
  }
}
