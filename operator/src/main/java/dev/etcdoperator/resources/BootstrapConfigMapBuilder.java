package dev.etcdoperator.resources;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/** The ConfigMap the member pods read their --initial-cluster* flags from (through env vars). */
public final class BootstrapConfigMapBuilder {
  public static final String INITIAL_CLUSTER_KEY = "initial-cluster";
  public static final String INITIAL_CLUSTER_STATE_KEY = "initial-cluster-state";
  public static final String INITIAL_CLUSTER_TOKEN_KEY = "initial-cluster-token";

  private BootstrapConfigMapBuilder() {}

  public static ConfigMap build(ClusterBlueprint blueprint, BootstrapConfig config) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(INITIAL_CLUSTER_KEY, config.initialCluster());
    data.put(INITIAL_CLUSTER_STATE_KEY, config.state().value());
    data.put(INITIAL_CLUSTER_TOKEN_KEY, config.token());
    return new ConfigMapBuilder()
        .withMetadata(OwnedMetadata.of(blueprint, blueprint.names().configMap()))
        .withData(data)
        .build();
  }
}
