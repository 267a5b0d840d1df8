package dev.etcdoperator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The operator's whole API footprint: what each RBAC install (deploy/operator, deploy/operator-namespaced, the Helm
 * chart in either scope) must grant, no more and no less. Granting anything else needs a deliberate change here.
 */
final class OperatorPermissions {
  private OperatorPermissions() {
  }

  /** One RBAC target: API group, resource (or resource/subresource), and the object names it is narrowed to. */
  record Target(String apiGroup, String resource, Set<String> resourceNames) {
    static Target of(String apiGroup, String resource, String... resourceNames) {
      return new Target(apiGroup, resource, new TreeSet<>(List.of(resourceNames)));
    }
  }

  private static Set<String> verbs(String spaceSeparated) {
    return new TreeSet<>(List.of(spaceSeparated.split(" ")));
  }

  /** Owned objects: server-side apply (a PATCH, create when new), never update; the garbage collector deletes them. */
  private static final String OWNED = "get list watch create patch";

  /** Everything the operator does in the namespaces it watches (a ClusterRole, or a Role in each one). */
  static final Map<Target, Set<String>> CLUSTER = Map.ofEntries(
      Map.entry(Target.of("etcdoperator.dev", "etcdclusters"), verbs("get list watch patch update")),
      // JOSDK patches status with server-side apply on the status subresource.
      Map.entry(Target.of("etcdoperator.dev", "etcdclusters/status"), verbs("get patch update")),
      // Owner references with blockOwnerDeletion=true (OwnerReferencesPermissionEnforcement admission plugin).
      Map.entry(Target.of("etcdoperator.dev", "etcdclusters/finalizers"), verbs("update")),
      // Backups: JOSDK adds and removes its finalizer (the reconciler is a Cleaner); status by server-side apply;
      // schedules create one per run and retention deletes them.
      Map.entry(Target.of("etcdoperator.dev", "etcdbackups"), verbs("get list watch create patch update delete")),
      Map.entry(Target.of("etcdoperator.dev", "etcdbackups/status"), verbs("get patch update")),
      Map.entry(Target.of("etcdoperator.dev", "etcdbackups/finalizers"), verbs("update")),
      // Storage growth deletes the StatefulSet (orphaning its pods) to re-create it with larger claim templates.
      Map.entry(Target.of("apps", "statefulsets"), verbs(OWNED + " delete")),
      Map.entry(Target.of("", "services"), verbs(OWNED)),
      Map.entry(Target.of("", "configmaps"), verbs(OWNED)),
      Map.entry(Target.of("policy", "poddisruptionbudgets"), verbs(OWNED)),
      // Certificate Secrets: issued, renewed and read; removed only by garbage collection with the cluster.
      Map.entry(Target.of("", "secrets"), verbs(OWNED)),
      // Members deleted for replacement; restore pods created and deleted. No pods/portforward (only for
      // ETCD_MEMBER_ACCESS=port-forward, outside the cluster).
      Map.entry(Target.of("", "pods"), verbs("get list watch create delete")),
      // Members evicted for restarts, through the PodDisruptionBudget as node drains are.
      Map.entry(Target.of("", "pods/eviction"), verbs("create")),
      // Expanded, deleted with removed members, created ahead of the StatefulSet for a restore.
      Map.entry(Target.of("", "persistentvolumeclaims"), verbs("get list watch create patch delete")),
      // A snapshot under deletionPolicy Delete stays when its namespace is being deleted: the namespace is read.
      Map.entry(Target.of("", "namespaces"), verbs("get")),
      Map.entry(Target.of("", "events"), verbs("create patch")),
      // Each cluster's Lease, fencing it to one operator installation.
      Map.entry(Target.of("coordination.k8s.io", "leases"), verbs("get create update")),
      // spec.monitoring.podMonitor: the members' PodMonitor, applied and deleted when the field is turned off.
      Map.entry(Target.of("monitoring.coreos.com", "podmonitors"), verbs("get create patch delete")),
      Map.entry(Target.of("apiextensions.k8s.io", "customresourcedefinitions", "etcdclusters.etcdoperator.dev",
          "etcdbackups.etcdoperator.dev", "podmonitors.monitoring.coreos.com"), verbs("get")));

  /** Of {@link #CLUSTER}, the two cluster-scoped reads a Role cannot grant: its CRDs, and namespaces. */
  static final Set<String> CLUSTER_SCOPED_RESOURCES = Set.of("namespaces", "customresourcedefinitions");

  /**
   * The Role in the operator's namespace: leader election. Fabric8's lease lock gets, creates and PATCHes the Lease;
   * JOSDK refuses to start unless get, create and update are granted. Create cannot be narrowed to a name.
   */
  static Map<Target, Set<String>> leaderElection(String leaseName) {
    return Map.of(
        Target.of("coordination.k8s.io", "leases"), verbs("create"),
        Target.of("coordination.k8s.io", "leases", leaseName), verbs("get update patch"));
  }

  /** {@link #CLUSTER} less its cluster-scoped reads: what a Role in a watched namespace grants. */
  static Map<Target, Set<String>> namespaced() {
    return clusterScoped(false);
  }

  /** The cluster-scoped reads alone: what the cluster-reader ClusterRole of a namespaced install grants. */
  static Map<Target, Set<String>> clusterScoped() {
    return clusterScoped(true);
  }

  private static Map<Target, Set<String>> clusterScoped(boolean scoped) {
    Map<Target, Set<String>> rules = new HashMap<>(CLUSTER);
    rules.keySet().removeIf(t -> CLUSTER_SCOPED_RESOURCES.contains(t.resource()) != scoped);
    return rules;
  }

  /** The rules flattened into one verb set per (group, resource, names). */
  static Map<Target, Set<String>> granted(List<PolicyRule> rules) {
    Map<Target, Set<String>> granted = new HashMap<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          granted.computeIfAbsent(new Target(group, resource, new TreeSet<>(rule.getResourceNames())),
              t -> new TreeSet<>()).addAll(rule.getVerbs());
        }
      }
    }
    return granted;
  }

  static void assertGrantsAtLeast(Map<Target, Set<String>> granted, Map<Target, Set<String>> needed) {
    needed.forEach((target, verbs) -> assertThat(granted.getOrDefault(target, Set.of()))
        .as("verbs granted on %s", target).containsAll(verbs));
  }

  static void assertGrantsAtMost(Map<Target, Set<String>> granted, Map<Target, Set<String>> table) {
    assertThat(table).as("targets in the permission table").containsKeys(granted.keySet().toArray(Target[]::new));
    granted.forEach((target, verbs) -> assertThat(verbs).as("verbs granted on %s", target)
        .isSubsetOf(table.get(target)));
  }

  /** Exactly the table: every verb the operator uses, and nothing else. */
  static void assertGrantsExactly(List<PolicyRule> rules, Map<Target, Set<String>> table) {
    assertThat(granted(rules)).isEqualTo(table);
  }

  /** No wildcard anywhere: every rule names its groups, resources and verbs. */
  static void assertNoWildcards(List<PolicyRule> rules) {
    rules.forEach(rule -> {
      assertThat(rule.getApiGroups()).isNotEmpty().doesNotContain("*");
      assertThat(rule.getResources()).isNotEmpty().noneMatch(r -> r.contains("*"));
      assertThat(rule.getVerbs()).isNotEmpty().doesNotContain("*");
      assertThat(rule.getResourceNames()).doesNotContain("*");
      assertThat(rule.getNonResourceURLs()).isEmpty();
    });
  }
}
