package dev.etcdoperator.resources;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/** The labels of GUIDE section 3: which cluster an object belongs to, and which pods are its members. */
public record ClusterLabels(String cluster) {
  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String COMPONENT = "app.kubernetes.io/component";

  public static final String APP_NAME = "etcd";
  public static final String OPERATOR_NAME = "etcd-operator";
  public static final String MEMBER_COMPONENT = "member";

  public ClusterLabels {
    Objects.requireNonNull(cluster, "cluster");
  }

  /**
   * Labels that select this cluster's member pods (Services, PDB, StatefulSet, anti-affinity). The component label
   * keeps other pods we may run for the cluster later (backup jobs) out of the member Services.
   */
  public Map<String, String> selector() {
    Map<String, String> labels = ownedObjects();
    labels.put(COMPONENT, MEMBER_COMPONENT);
    return Collections.unmodifiableMap(labels);
  }

  /** The selector as "k=v,k=v" in a fixed order, for status.selector (scale subresource, HPA, kubectl). */
  public String selectorString() {
    return selector().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
  }

  /** Labels on every object owned by the cluster, so `kubectl get all,cm,pvc -l app.kubernetes.io/instance=x` works. */
  public Map<String, String> forOwnedObjects() {
    return Collections.unmodifiableMap(ownedObjects());
  }

  private Map<String, String> ownedObjects() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME, APP_NAME);
    labels.put(INSTANCE, cluster);
    labels.put(MANAGED_BY, OPERATOR_NAME);
    return labels;
  }
}
