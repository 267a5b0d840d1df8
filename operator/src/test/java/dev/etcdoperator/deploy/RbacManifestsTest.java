package dev.etcdoperator.deploy;

import static dev.etcdoperator.deploy.DeployManifests.OPERATOR_NAMESPACE;
import static dev.etcdoperator.deploy.DeployManifests.SERIALIZATION;
import static dev.etcdoperator.deploy.DeployManifests.deployedConfig;
import static dev.etcdoperator.deploy.DeployManifests.load;
import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The RBAC manifests in deploy/operator: what a reviewer of an operator install checks. The permission tables below
 * are the operator's whole API footprint; granting anything more (or less) needs a deliberate change here.
 */
class RbacManifestsTest {
  private static final Path CRD_DIR = Path.of("..", "crds");

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

  /** The ClusterRole: everything the operator does in the namespaces it watches. */
  private static final Map<Target, Set<String>> CLUSTER_PERMISSIONS = Map.ofEntries(
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

  /**
   * The Role in the operator's namespace: leader election. Fabric8's lease lock gets, creates and PATCHes the Lease;
   * JOSDK refuses to start unless get, create and update are granted. Create cannot be narrowed to a name.
   */
  private static final Map<Target, Set<String>> LEADER_ELECTION_PERMISSIONS = Map.of(
      Target.of("coordination.k8s.io", "leases"), verbs("create"),
      Target.of("coordination.k8s.io", "leases", "etcd-operator-leader"), verbs("get update patch"));

  @Test
  void bindingsGiveTheOperatorServiceAccountTheRolesDefinedHere() {
    ServiceAccount account = load("serviceaccount.yaml", ServiceAccount.class);
    Subject operator = new Subject(null, "ServiceAccount", account.getMetadata().getName(),
        account.getMetadata().getNamespace());

    ClusterRoleBinding clusterBinding = load("clusterrolebinding.yaml", ClusterRoleBinding.class);
    assertThat(clusterBinding.getSubjects()).containsExactly(operator);
    assertRoleRef(clusterBinding.getRoleRef(), "ClusterRole",
        load("clusterrole.yaml", ClusterRole.class).getMetadata().getName());

    RoleBinding binding = load("rolebinding.yaml", RoleBinding.class);
    assertThat(binding.getSubjects()).containsExactly(operator);
    Role role = load("role.yaml", Role.class);
    assertRoleRef(binding.getRoleRef(), "Role", role.getMetadata().getName());
    assertThat(binding.getMetadata().getNamespace()).isEqualTo(role.getMetadata().getNamespace());
  }

  @Test
  void noRuleUsesWildcards() {
    ClusterRole clusterRole = load("clusterrole.yaml", ClusterRole.class);
    assertThat(clusterRole.getAggregationRule()).isNull();
    Stream.concat(clusterRole.getRules().stream(), load("role.yaml", Role.class).getRules().stream())
        .forEach(rule -> {
          assertThat(rule.getApiGroups()).isNotEmpty().doesNotContain("*");
          assertThat(rule.getResources()).isNotEmpty().noneMatch(r -> r.contains("*"));
          assertThat(rule.getVerbs()).isNotEmpty().doesNotContain("*");
          assertThat(rule.getResourceNames()).doesNotContain("*");
          assertThat(rule.getNonResourceURLs()).isEmpty();
        });
  }

  @Test
  void grantsEveryPermissionTheOperatorUses() {
    assertGrantsAtLeast(permissions(load("clusterrole.yaml", ClusterRole.class).getRules()), CLUSTER_PERMISSIONS);
    assertGrantsAtLeast(permissions(load("role.yaml", Role.class).getRules()), LEADER_ELECTION_PERMISSIONS);
  }

  @Test
  void grantsNothingBeyondThePermissionTables() {
    assertGrantsAtMost(permissions(load("clusterrole.yaml", ClusterRole.class).getRules()), CLUSTER_PERMISSIONS);
    assertGrantsAtMost(permissions(load("role.yaml", Role.class).getRules()), LEADER_ELECTION_PERMISSIONS);
  }

  @Test
  void leaderElectionIsGrantedOnlyInTheOperatorNamespaceOnTheLeaseTheOperatorUses() {
    Role role = load("role.yaml", Role.class);
    assertThat(role.getMetadata().getNamespace()).isEqualTo(OPERATOR_NAMESPACE);
    assertThat(role.getRules()).allSatisfy(rule -> {
      assertThat(rule.getApiGroups()).containsExactly("coordination.k8s.io");
      assertThat(rule.getResources()).containsExactly("leases");
    });
    // Cluster-wide, Leases are only read, created and renewed (each EtcdCluster's own): never listed or deleted.
    assertThat(load("clusterrole.yaml", ClusterRole.class).getRules())
        .filteredOn(rule -> rule.getResources().contains("leases"))
        .allSatisfy(rule -> assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "create", "update"));

    // The Lease the operator configured by this Deployment actually uses is the one the Role names.
    OperatorConfig config = deployedConfig();
    assertThat(config.leaseNamespace()).isEqualTo(role.getMetadata().getNamespace());
    assertThat(role.getRules()).anySatisfy(rule -> {
      assertThat(rule.getResourceNames()).containsExactly(config.leaseName());
      assertThat(rule.getVerbs()).contains("get", "update");
    });
  }

  /**
   * deploy/operator-namespaced: the ClusterRole's rules granted by a Role in the watched namespace, plus the two
   * cluster-scoped reads; the cluster-wide ClusterRole and its binding are removed, and the operator watches exactly
   * the Role's namespace (review finding 21: pod creation in kube-system is not granted).
   */
  @Test
  void theNamespacedInstallGrantsTheSameRulesInTheWatchedNamespaceOnly() throws IOException {
    Path dir = Path.of("..", "deploy", "operator-namespaced");
    Role watched = load(dir, "watched-role.yaml", Role.class);
    ClusterRole reader = load(dir, "cluster-reader-clusterrole.yaml", ClusterRole.class);
    Map<Target, Set<String>> split = new HashMap<>(permissions(watched.getRules()));
    permissions(reader.getRules()).forEach((target, verbs) -> assertThat(split.put(target, verbs))
        .as("%s granted once", target).isNull());
    assertThat(split).isEqualTo(permissions(load("clusterrole.yaml", ClusterRole.class).getRules()));
    assertThat(permissions(reader.getRules()).keySet()).extracting(Target::resource)
        .containsExactlyInAnyOrder("namespaces", "customresourcedefinitions");
    assertThat(permissions(reader.getRules()).values()).allSatisfy(verbs -> assertThat(verbs).containsExactly("get"));

    ServiceAccount account = load("serviceaccount.yaml", ServiceAccount.class);
    Subject operator = new Subject(null, "ServiceAccount", account.getMetadata().getName(),
        account.getMetadata().getNamespace());
    RoleBinding watchedBinding = load(dir, "watched-rolebinding.yaml", RoleBinding.class);
    assertThat(watchedBinding.getSubjects()).containsExactly(operator);
    assertThat(watchedBinding.getMetadata().getNamespace()).isEqualTo(watched.getMetadata().getNamespace());
    assertRoleRef(watchedBinding.getRoleRef(), "Role", watched.getMetadata().getName());
    ClusterRoleBinding readerBinding = load(dir, "cluster-reader-clusterrolebinding.yaml", ClusterRoleBinding.class);
    assertThat(readerBinding.getSubjects()).containsExactly(operator);
    assertRoleRef(readerBinding.getRoleRef(), "ClusterRole", reader.getMetadata().getName());

    String kustomization = Files.readString(dir.resolve("Kustomization"));
    @SuppressWarnings("unchecked")
    List<Object> resources = (List<Object>) SERIALIZATION.unmarshal(kustomization, Map.class).get("resources");
    assertThat(resources).contains("../operator", "watched-namespace.yaml",
        "watched-role.yaml", "watched-rolebinding.yaml", "cluster-reader-clusterrole.yaml",
        "cluster-reader-clusterrolebinding.yaml");
    String clusterRole = load("clusterrole.yaml").getMetadata().getName();
    assertThat(kustomization).contains("$patch: delete\n      apiVersion: rbac.authorization.k8s.io/v1\n      kind: "
        + "ClusterRole\n      metadata:\n        name: " + clusterRole + "\n")
        .contains("kind: ClusterRoleBinding\n      metadata:\n        name: "
            + load("clusterrolebinding.yaml").getMetadata().getName() + "\n")
        .contains("name: WATCH_NAMESPACES\n          value: " + watched.getMetadata().getNamespace() + "\n");
    assertThat(load(dir, "watched-namespace.yaml", Namespace.class).getMetadata().getName())
        .isEqualTo(watched.getMetadata().getNamespace());
  }

  @Test
  void theCustomResourceRulesMatchTheCommittedCrds() throws IOException {
    Map<Target, Set<String>> granted = permissions(load("clusterrole.yaml", ClusterRole.class).getRules());
    Set<String> checkable = granted.keySet().stream()
        .filter(t -> t.apiGroup().equals("apiextensions.k8s.io")).flatMap(t -> t.resourceNames().stream())
        .collect(java.util.stream.Collectors.toSet());
    List<Path> files;
    try (Stream<Path> listing = Files.list(CRD_DIR)) {
      files = listing.filter(f -> f.toString().endsWith(".yml")).sorted().toList();
    }
    assertThat(files).hasSize(2);
    for (Path file : files) {
      CustomResourceDefinition crd = SERIALIZATION.unmarshal(Files.readString(file), CustomResourceDefinition.class);
      String group = crd.getSpec().getGroup();
      String plural = crd.getSpec().getNames().getPlural();
      assertThat(granted).as(file.toString()).containsKeys(Target.of(group, plural),
          Target.of(group, plural + "/status"), Target.of(group, plural + "/finalizers"));
      assertThat(checkable).as("CRDs the operator checks at start-up").contains(crd.getMetadata().getName());
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  private static void assertRoleRef(RoleRef ref, String kind, String name) {
    assertThat(ref.getApiGroup()).isEqualTo("rbac.authorization.k8s.io");
    assertThat(ref.getKind()).isEqualTo(kind);
    assertThat(ref.getName()).isEqualTo(name);
  }

  /** The rules flattened into one verb set per (group, resource, names). */
  private static Map<Target, Set<String>> permissions(List<PolicyRule> rules) {
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

  private static void assertGrantsAtLeast(Map<Target, Set<String>> granted, Map<Target, Set<String>> needed) {
    needed.forEach((target, verbs) -> assertThat(granted.getOrDefault(target, Set.of()))
        .as("verbs granted on %s", target).containsAll(verbs));
  }

  private static void assertGrantsAtMost(Map<Target, Set<String>> granted, Map<Target, Set<String>> table) {
    assertThat(table).as("targets in the permission table").containsKeys(granted.keySet().toArray(Target[]::new));
    granted.forEach((target, verbs) -> assertThat(verbs).as("verbs granted on %s", target)
        .isSubsetOf(table.get(target)));
  }
}
