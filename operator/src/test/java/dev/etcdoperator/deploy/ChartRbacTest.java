package dev.etcdoperator.deploy;

import static dev.etcdoperator.deploy.DeployManifests.OPERATOR_NAMESPACE;
import static dev.etcdoperator.deploy.DeployManifests.configOf;
import static dev.etcdoperator.deploy.OperatorPermissions.assertNoWildcards;
import static dev.etcdoperator.deploy.OperatorPermissions.granted;
import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.deploy.OperatorPermissions.Target;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The chart's RBAC in both scopes grants exactly the operator's permission table ({@link OperatorPermissions}, the
 * same one deploy/operator is held to): every verb the operator uses, nothing more, no wildcards.
 */
class ChartRbacTest {
  private static final String NAME = RenderedChart.RELEASE;
  private static final Subject OPERATOR = new Subject(null, "ServiceAccount", NAME, OPERATOR_NAMESPACE);

  @Test
  void clusterScopeGrantsThePermissionTableThroughOneClusterRole() {
    RenderedChart chart = RenderedChart.render(Map.of());
    ClusterRole role = chart.one(ClusterRole.class, NAME);
    assertThat(chart.all(ClusterRole.class)).containsExactly(role);
    assertThat(granted(role.getRules())).isEqualTo(OperatorPermissions.CLUSTER);
    assertNoWildcards(role.getRules());
    assertThat(role.getAggregationRule()).isNull();

    ClusterRoleBinding binding = chart.one(ClusterRoleBinding.class, NAME);
    assertThat(binding.getSubjects()).containsExactly(OPERATOR);
    assertRoleRef(binding.getRoleRef(), "ClusterRole", NAME);
    assertThat(chart.one(ServiceAccount.class, NAME).getMetadata().getNamespace()).isEqualTo(OPERATOR_NAMESPACE);
    assertLeaderElectionGrantedOnItsLeaseOnly(chart);
    // Only the leader election Role: nothing namespaced beyond it.
    assertThat(chart.all(Role.class)).extracting(r -> r.getMetadata().getName())
        .containsExactly(NAME + "-leader-election");
  }

  @Test
  void namespacesScopeGrantsTheTableInEachWatchedNamespaceAndOnlyReadsClusterWide() {
    List<String> watched = List.of("etcd", "payments");
    RenderedChart chart = RenderedChart.render(Map.of("rbac", Map.of("scope", "namespaces"),
        "watchNamespaces", watched));

    List<Role> roles = chart.all(Role.class).stream().filter(r -> r.getMetadata().getName().equals(NAME)).toList();
    assertThat(roles).extracting(r -> r.getMetadata().getNamespace()).containsExactlyElementsOf(watched);
    for (Role role : roles) {
      assertThat(granted(role.getRules())).isEqualTo(OperatorPermissions.namespaced());
      assertNoWildcards(role.getRules());
      RoleBinding binding = chart.all(RoleBinding.class).stream()
          .filter(b -> b.getMetadata().getNamespace().equals(role.getMetadata().getNamespace())).findFirst()
          .orElseThrow(() -> new AssertionError("no RoleBinding in " + role.getMetadata().getNamespace()));
      assertThat(binding.getSubjects()).containsExactly(OPERATOR);
      assertRoleRef(binding.getRoleRef(), "Role", NAME);
    }

    ClusterRole reader = chart.one(ClusterRole.class, NAME + "-cluster-reader");
    assertThat(chart.all(ClusterRole.class)).containsExactly(reader);
    assertThat(granted(reader.getRules())).isEqualTo(OperatorPermissions.clusterScoped());
    ClusterRoleBinding readerBinding = chart.one(ClusterRoleBinding.class, NAME + "-cluster-reader");
    assertThat(readerBinding.getSubjects()).containsExactly(OPERATOR);
    assertRoleRef(readerBinding.getRoleRef(), "ClusterRole", reader.getMetadata().getName());

    // Together, the same rights as the cluster scope; and the operator watches exactly where it holds them.
    Map<Target, Set<String>> together = new HashMap<>(granted(roles.get(0).getRules()));
    together.putAll(granted(reader.getRules()));
    assertThat(together).isEqualTo(OperatorPermissions.CLUSTER);
    Deployment deployment = chart.one(Deployment.class, NAME);
    assertThat(configOf(deployment.getSpec().getTemplate().getSpec().getContainers().get(0)).watchNamespaces())
        .containsExactlyInAnyOrderElementsOf(watched);
    assertLeaderElectionGrantedOnItsLeaseOnly(chart);
  }

  @Test
  void noRbacAndAnExistingServiceAccountWhenAskedTo() {
    RenderedChart chart = RenderedChart.render(Map.of("rbac", Map.of("create", false),
        "serviceAccount", Map.of("create", false, "name", "platform-etcd")));
    List<Class<? extends HasMetadata>> rbacKinds = List.of(ClusterRole.class, ClusterRoleBinding.class, Role.class,
        RoleBinding.class, ServiceAccount.class);
    rbacKinds.forEach(kind -> assertThat(chart.all(kind)).as(kind.getSimpleName()).isEmpty());
    assertThat(chart.one(Deployment.class, NAME).getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo("platform-etcd");
  }

  // ---------------------------------------------------------------------------------------------------------------

  private static void assertLeaderElectionGrantedOnItsLeaseOnly(RenderedChart chart) {
    Role role = chart.one(Role.class, NAME + "-leader-election");
    assertThat(role.getMetadata().getNamespace()).isEqualTo(OPERATOR_NAMESPACE);
    String lease = configOf(chart.one(Deployment.class, NAME).getSpec().getTemplate().getSpec().getContainers()
        .get(0)).leaseName();
    assertThat(granted(role.getRules())).isEqualTo(OperatorPermissions.leaderElection(lease));
    RoleBinding binding = chart.one(RoleBinding.class, NAME + "-leader-election");
    assertThat(binding.getMetadata().getNamespace()).isEqualTo(OPERATOR_NAMESPACE);
    assertThat(binding.getSubjects()).containsExactly(OPERATOR);
    assertRoleRef(binding.getRoleRef(), "Role", role.getMetadata().getName());
  }

  private static void assertRoleRef(RoleRef ref, String kind, String name) {
    assertThat(ref.getApiGroup()).isEqualTo("rbac.authorization.k8s.io");
    assertThat(ref.getKind()).isEqualTo(kind);
    assertThat(ref.getName()).isEqualTo(name);
  }
}
