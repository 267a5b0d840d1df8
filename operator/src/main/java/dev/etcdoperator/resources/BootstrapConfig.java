package dev.etcdoperator.resources;

import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The --initial-cluster* values the members read from the bootstrap ConfigMap. etcd only uses them when a member
 * starts with an empty data dir; afterwards they are ignored, so changing them never disturbs running members.
 */
public record BootstrapConfig(String initialCluster, InitialClusterState state, String token) {

  public enum InitialClusterState {
    /** Every listed member starts together and forms a brand-new cluster. */
    NEW("new"),
    /** The member joins a running cluster it has been added to (etcd member add) beforehand. */
    EXISTING("existing");

    private final String value;

    InitialClusterState(String value) {
      this.value = value;
    }

    /** The flag value etcd expects. */
    public String value() {
      return value;
    }

    public static Optional<InitialClusterState> parse(String value) {
      for (InitialClusterState s : values()) {
        if (s.value.equals(value)) {
          return Optional.of(s);
        }
      }
      return Optional.empty();
    }
  }

  private static final int TOKEN_UID_CHARS = 8;

  public BootstrapConfig {
    Objects.requireNonNull(initialCluster, "initialCluster");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(token, "token");
  }

  /** Bootstrap of a new cluster: all of spec.replicas members start at once with state "new". */
  public static BootstrapConfig initial(ClusterBlueprint blueprint) {
    return new BootstrapConfig(
        initialClusterOf(blueprint, IntStream.range(0, blueprint.replicas()).boxed().toList()),
        InitialClusterState.NEW,
        token(blueprint));
  }

  /** "name=peerURL,..." for the given member ordinals, in the order given. */
  public static String initialClusterOf(ClusterBlueprint blueprint, Collection<Integer> ordinals) {
    ClusterNames names = blueprint.names();
    return ordinals.stream()
        .map(i -> names.podName(i) + "=" + names.peerUrl(i, blueprint.scheme()))
        .collect(Collectors.joining(","));
  }

  /**
   * Unique to this incarnation of the EtcdCluster object (uid), so members of a deleted-and-recreated cluster with
   * the same name can never be mistaken by etcd for members of the old one.
   */
  public static String token(ClusterBlueprint blueprint) {
    String uid = blueprint.uid().replace("-", "");
    return blueprint.names().cluster() + "-" + uid.substring(0, Math.min(TOKEN_UID_CHARS, uid.length()));
  }

  public BootstrapConfig withState(InitialClusterState newState) {
    return new BootstrapConfig(initialCluster, newState, token);
  }

  public BootstrapConfig withInitialCluster(String newInitialCluster) {
    return new BootstrapConfig(newInitialCluster, state, token);
  }
}
