package dev.etcdoperator.deploy;

import static dev.etcdoperator.deploy.DeployManifests.OPERATOR_NAMESPACE;
import static dev.etcdoperator.deploy.DeployManifests.SERIALIZATION;
import static dev.etcdoperator.deploy.DeployManifests.deployedConfig;
import static dev.etcdoperator.deploy.DeployManifests.load;
import static dev.etcdoperator.deploy.OperatorPermissions.assertGrantsAtLeast;
import static dev.etcdoperator.deploy.OperatorPermissions.assertGrantsAtMost;
import static dev.etcdoperator.deploy.OperatorPermissions.granted;
import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.config.OperatorConfig;
import dev.etcdoperator.deploy.OperatorPermissions.Target;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The RBAC manifests in deploy/operator: what a reviewer of an operator install checks. The permission tables
 * ({@link OperatorPermissions}, shared with the Helm chart's tests) are the operator's whole API footprint; granting
 * anything more (or less) needs a deliberate change there.
 */
class RbacManifestsTest {
  private static final Path CRD_DIR = Path.of("..", "crds");

  private static final Map<Target, Set<String>> CLUSTER_PERMISSIONS = OperatorPermissions.CLUSTER;
  private static final Map<Target, Set<String>> LEADER_ELECTION_PERMISSIONS =
      OperatorPermissions.leaderElection("etcd-operator-leader");

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
    OperatorPermissions.assertNoWildcards(clusterRole.getRules());
    OperatorPermissions.assertNoWildcards(load("role.yaml", Role.class).getRules());
  }

  @Test
  void grantsEveryPermissionTheOperatorUses() {
    assertGrantsAtLeast(granted(load("clusterrole.yaml", ClusterRole.class).getRules()), CLUSTER_PERMISSIONS);
    assertGrantsAtLeast(granted(load("role.yaml", Role.class).getRules()), LEADER_ELECTION_PERMISSIONS);
  }

  @Test
  void grantsNothingBeyondThePermissionTables() {
    assertGrantsAtMost(granted(load("clusterrole.yaml", ClusterRole.class).getRules()), CLUSTER_PERMISSIONS);
    assertGrantsAtMost(granted(load("role.yaml", Role.class).getRules()), LEADER_ELECTION_PERMISSIONS);
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
    Map<Target, Set<String>> split = new HashMap<>(granted(watched.getRules()));
    granted(reader.getRules()).forEach((target, verbs) -> assertThat(split.put(target, verbs))
        .as("%s granted once", target).isNull());
    assertThat(split).isEqualTo(granted(load("clusterrole.yaml", ClusterRole.class).getRules()));
    assertThat(granted(watched.getRules())).isEqualTo(OperatorPermissions.namespaced());
    assertThat(granted(reader.getRules()).keySet()).extracting(Target::resource)
        .containsExactlyInAnyOrder("namespaces", "customresourcedefinitions");
    assertThat(granted(reader.getRules()).values()).allSatisfy(verbs -> assertThat(verbs).containsExactly("get"));

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
    Map<Target, Set<String>> granted = granted(load("clusterrole.yaml", ClusterRole.class).getRules());
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
}
