package dev.etcdoperator.resources;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import java.util.List;

/**
 * Environment of the etcd container: the only way per-pod values reach etcd's flags, because the official images
 * are distroless (no shell to compute them). Flags refer to these through Kubernetes {@code $(VAR)} expansion.
 *
 * <p>None is prefixed ETCD_: etcd reads ETCD_* variables as flags itself and refuses to start when one is also
 * given on the command line.
 */
public final class MemberEnv {
  public static final String POD_NAME = "POD_NAME";
  public static final String POD_NAMESPACE = "POD_NAMESPACE";
  public static final String POD_IP = "POD_IP";
  public static final String INITIAL_CLUSTER = "INITIAL_CLUSTER";
  public static final String INITIAL_CLUSTER_STATE = "INITIAL_CLUSTER_STATE";
  public static final String INITIAL_CLUSTER_TOKEN = "INITIAL_CLUSTER_TOKEN";

  private MemberEnv() {}

  /** "$(NAME)": a reference Kubernetes expands in command and args. */
  public static String ref(String name) {
    return "$(" + name + ")";
  }

  public static List<EnvVar> build(ClusterBlueprint blueprint) {
    String configMap = blueprint.names().configMap();
    return List.of(
        fieldRef(POD_NAME, "metadata.name"),
        fieldRef(POD_NAMESPACE, "metadata.namespace"),
        fieldRef(POD_IP, "status.podIP"),
        configMapRef(INITIAL_CLUSTER, configMap, BootstrapConfigMapBuilder.INITIAL_CLUSTER_KEY),
        configMapRef(INITIAL_CLUSTER_STATE, configMap, BootstrapConfigMapBuilder.INITIAL_CLUSTER_STATE_KEY),
        configMapRef(INITIAL_CLUSTER_TOKEN, configMap, BootstrapConfigMapBuilder.INITIAL_CLUSTER_TOKEN_KEY));
  }

  private static EnvVar fieldRef(String name, String fieldPath) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewFieldRef()
        .withApiVersion("v1")
        .withFieldPath(fieldPath)
        .endFieldRef()
        .endValueFrom()
        .build();
  }

  // Not optional: a member must not start without its bootstrap values (the kubelet retries until they exist).
  private static EnvVar configMapRef(String name, String configMap, String key) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewConfigMapKeyRef()
        .withName(configMap)
        .withKey(key)
        .withOptional(false)
        .endConfigMapKeyRef()
        .endValueFrom()
        .build();
  }
}
