package dev.etcdoperator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.config.OperatorConfig;
import dev.etcdoperator.config.OperatorConfig.MemberAccess;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The plain manifests in deploy/operator: what a reviewer of an operator install checks. The permission tables below
 * are the operator's whole API footprint; granting anything more (or less) needs a deliberate change here.
 */
class DeployManifestsTest {
  private static final Path DIR = Path.of("..", "deploy", "operator");
  private static final Path CRD_FILE = Path.of("..", "crds", "etcdclusters.etcdoperator.dev-v1.yml");
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private static final String OPERATOR_NAMESPACE = "etcd-operator-system";
  private static final long NON_ROOT_USER = 65532L;

  /** Every manifest file and the one object it holds. */
  private static final Map<String, Class<? extends HasMetadata>> FILES = Map.of(
      "00-namespace.yaml", Namespace.class,
      "serviceaccount.yaml", ServiceAccount.class,
      "clusterrole.yaml", ClusterRole.class,
      "clusterrolebinding.yaml", ClusterRoleBinding.class,
      "role.yaml", Role.class,
      "rolebinding.yaml", RoleBinding.class,
      "deployment.yaml", Deployment.class);

  /** One RBAC target: API group, resource (or resource/subresource), and the object names it is narrowed to. */
  record Target(String apiGroup, String resource, Set<String> resourceNames) {
    static Target of(String apiGroup, String resource, String... resourceNames) {
      return new Target(apiGroup, resource, new TreeSet<>(List.of(resourceNames)));
    }
  }

  private static Set<String> verbs(String spaceSeparated) {
    return new TreeSet<>(List.of(spaceSeparated.split(" ")));
  }

  private static final String OWNED = "get list watch create patch update delete";

  /** The ClusterRole: everything the operator does in the namespaces it watches. */
  private static final Map<Target, Set<String>> CLUSTER_PERMISSIONS = Map.ofEntries(
      Map.entry(Target.of("etcdoperator.dev", "etcdclusters"), verbs("get list watch patch update")),
      // JOSDK patches status with server-side apply on the status subresource.
      Map.entry(Target.of("etcdoperator.dev", "etcdclusters/status"), verbs("get patch update")),
      // Owner references with blockOwnerDeletion=true (OwnerReferencesPermissionEnforcement admission plugin).
      Map.entry(Target.of("etcdoperator.dev", "etcdclusters/finalizers"), verbs("update")),
      Map.entry(Target.of("apps", "statefulsets"), verbs(OWNED)),
      Map.entry(Target.of("", "services"), verbs(OWNED)),
      Map.entry(Target.of("", "configmaps"), verbs(OWNED)),
      Map.entry(Target.of("policy", "poddisruptionbudgets"), verbs(OWNED)),
      // Read only; no pods/portforward (only for ETCD_MEMBER_ACCESS=port-forward, outside the cluster).
      Map.entry(Target.of("", "pods"), verbs("get list watch")),
      Map.entry(Target.of("", "persistentvolumeclaims"), verbs("get list patch")),
      Map.entry(Target.of("", "events"), verbs("create patch")),
      Map.entry(Target.of("apiextensions.k8s.io", "customresourcedefinitions", "etcdclusters.etcdoperator.dev"),
          verbs("get")));

  /**
   * The Role in the operator's namespace: leader election. Fabric8's lease lock gets, creates and PATCHes the Lease;
   * JOSDK refuses to start unless get, create and update are granted. Create cannot be narrowed to a name.
   */
  private static final Map<Target, Set<String>> LEADER_ELECTION_PERMISSIONS = Map.of(
      Target.of("coordination.k8s.io", "leases"), verbs("create"),
      Target.of("coordination.k8s.io", "leases", "etcd-operator-leader"), verbs("get update patch"));

  @Test
  void everyManifestFileHoldsOneObjectOfTheExpectedKind() throws IOException {
    assertThat(manifestFiles()).containsExactlyInAnyOrderElementsOf(FILES.keySet());
    FILES.forEach((file, kind) -> assertThat(load(file)).as(file).isInstanceOf(kind));
  }

  @Test
  void manifestsUseNoFieldTheKubernetesModelDoesNotKnow() {
    // A misspelt field (readOnlyRootFileSystem, runAsNonroot...) would be dropped or refused by the API server.
    FILES.keySet().forEach(file -> {
      List<String> unknown = new ArrayList<>();
      collectUnknownFields(load(file), file, unknown);
      assertThat(unknown).as("fields the Kubernetes model does not know").isEmpty();
    });
  }

  @Test
  void namespacedObjectsLiveInTheOperatorNamespaceAndItIsCreatedFirst() throws IOException {
    assertThat(load("00-namespace.yaml", Namespace.class).getMetadata().getName()).isEqualTo(OPERATOR_NAMESPACE);
    for (String file : List.of("serviceaccount.yaml", "role.yaml", "rolebinding.yaml", "deployment.yaml")) {
      assertThat(load(file).getMetadata().getNamespace()).as(file).isEqualTo(OPERATOR_NAMESPACE);
    }
    for (String file : List.of("00-namespace.yaml", "clusterrole.yaml", "clusterrolebinding.yaml")) {
      assertThat(load(file).getMetadata().getNamespace()).as(file + " is cluster-scoped").isNull();
    }
    // `kubectl apply -f deploy/operator/` applies the files in name order.
    assertThat(manifestFiles().stream().sorted().findFirst()).contains("00-namespace.yaml");
  }

  @Test
  void kustomizationListsEveryManifestAndNothingOutsideItsDirectory() throws IOException {
    // Named "Kustomization" so that `kubectl apply -f deploy/operator/` does not try to apply it as an object.
    assertThat(Files.exists(DIR.resolve("kustomization.yaml"))).isFalse();
    assertThat(Files.exists(DIR.resolve("kustomization.yml"))).isFalse();
    @SuppressWarnings("unchecked")
    Map<String, Object> kustomization = SERIALIZATION.unmarshal(Files.readString(DIR.resolve("Kustomization")),
        Map.class);
    assertThat(kustomization).containsEntry("apiVersion", "kustomize.config.k8s.io/v1beta1")
        .containsEntry("kind", "Kustomization");
    @SuppressWarnings("unchecked")
    List<String> resources = (List<String>) kustomization.get("resources");
    // Kustomize refuses files outside the kustomization's directory (load restrictor RootOnly).
    assertThat(resources).allSatisfy(r -> assertThat(r).doesNotContain("/"));
    assertThat(resources).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(manifestFiles());
  }

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
    assertThat(load("clusterrole.yaml", ClusterRole.class).getRules())
        .noneMatch(rule -> rule.getResources().contains("leases"));

    // The Lease the operator configured by this Deployment actually uses is the one the Role names.
    OperatorConfig config = deployedConfig();
    assertThat(config.leaseNamespace()).isEqualTo(role.getMetadata().getNamespace());
    assertThat(role.getRules()).anySatisfy(rule -> {
      assertThat(rule.getResourceNames()).containsExactly(config.leaseName());
      assertThat(rule.getVerbs()).contains("get", "update");
    });
  }

  @Test
  void theCustomResourceRulesMatchTheCommittedCrd() throws IOException {
    CustomResourceDefinition crd = SERIALIZATION.unmarshal(Files.readString(CRD_FILE), CustomResourceDefinition.class);
    String group = crd.getSpec().getGroup();
    String plural = crd.getSpec().getNames().getPlural();
    Map<Target, Set<String>> granted = permissions(load("clusterrole.yaml", ClusterRole.class).getRules());
    assertThat(granted).containsKeys(Target.of(group, plural), Target.of(group, plural + "/status"),
        Target.of("apiextensions.k8s.io", "customresourcedefinitions", crd.getMetadata().getName()));
  }

  @Test
  void deploymentRunsTwoLeaderElectedReplicasAsTheOperatorServiceAccount() {
    Deployment deployment = load("deployment.yaml", Deployment.class);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(deployment.getSpec().getSelector().getMatchLabels()).isNotEmpty();
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
    assertThat(pod.getServiceAccountName())
        .isEqualTo(load("serviceaccount.yaml", ServiceAccount.class).getMetadata().getName());
    assertThat(pod.getAutomountServiceAccountToken()).isTrue();
    assertThat(pod.getContainers()).hasSize(1);
    assertThat(operatorContainer().getImage()).isEqualTo("ghcr.io/etcd-operator/etcd-operator:0.1.0");

    OperatorConfig config = deployedConfig();
    assertThat(config.leaderElection()).isTrue();
    assertThat(config.leaseNamespace()).isEqualTo(OPERATOR_NAMESPACE);
    assertThat(config.memberAccess()).isEqualTo(MemberAccess.DIRECT);
    assertThat(config.healthPort()).isEqualTo(8080);
    assertThat(env(operatorContainer())).containsEntry("LEADER_ELECTION_NAMESPACE", "<metadata.namespace>");
    assertThat(env(operatorContainer()).get("JAVA_TOOL_OPTIONS")).contains("-XX:MaxRAMPercentage=75");
  }

  @Test
  void podAndContainerAreLockedDown() {
    PodSpec pod = load("deployment.yaml", Deployment.class).getSpec().getTemplate().getSpec();
    var podContext = pod.getSecurityContext();
    assertThat(podContext.getRunAsNonRoot()).isTrue();
    assertThat(podContext.getRunAsUser()).isEqualTo(NON_ROOT_USER);
    assertThat(podContext.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

    var context = operatorContainer().getSecurityContext();
    assertThat(context.getRunAsNonRoot()).isTrue();
    assertThat(context.getRunAsUser()).isEqualTo(NON_ROOT_USER);
    assertThat(context.getReadOnlyRootFilesystem()).isTrue();
    assertThat(context.getAllowPrivilegeEscalation()).isFalse();
    assertThat(context.getPrivileged()).isNotEqualTo(Boolean.TRUE);
    assertThat(context.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(context.getCapabilities().getAdd()).isEmpty();
    assertThat(context.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);

    // The root file system is read-only: the JVM gets a writable /tmp.
    String tmpVolume = operatorContainer().getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp"))
        .findFirst().orElseThrow(() -> new AssertionError("no volume mounted at /tmp")).getName();
    assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals(tmpVolume)).singleElement()
        .extracting(Volume::getEmptyDir).isNotNull();
  }

  @Test
  void probesHitTheHealthEndpointOnHealthPort() {
    Container container = operatorContainer();
    int healthPort = deployedConfig().healthPort();
    assertThat(httpGet(container.getLivenessProbe()).getPath()).isEqualTo("/healthz");
    assertThat(httpGet(container.getReadinessProbe()).getPath()).isEqualTo("/readyz");
    for (Probe probe : Stream.of(container.getStartupProbe(), container.getLivenessProbe(),
        container.getReadinessProbe()).filter(Objects::nonNull).toList()) {
      assertThat(probePort(container, httpGet(probe))).isEqualTo(healthPort);
    }
  }

  @Test
  void resourcesBoundTheMemoryTheHeapIsSizedFrom() {
    var resources = operatorContainer().getResources();
    assertThat(resources.getRequests()).containsEntry("cpu", new Quantity("100m"))
        .containsEntry("memory", new Quantity("256Mi"));
    assertThat(resources.getLimits()).containsEntry("memory", new Quantity("512Mi"));
  }

  @Test
  void replicasPreferDifferentNodesWithoutRequiringThem() {
    PodSpec pod = load("deployment.yaml", Deployment.class).getSpec().getTemplate().getSpec();
    Map<String, String> podLabels = load("deployment.yaml", Deployment.class).getSpec().getTemplate().getMetadata()
        .getLabels();
    assertThat(pod.getTopologySpreadConstraints()).isNotEmpty().allSatisfy(constraint -> {
      assertThat(constraint.getWhenUnsatisfiable()).isEqualTo("ScheduleAnyway");
      assertThat(podLabels).containsAllEntriesOf(constraint.getLabelSelector().getMatchLabels());
    }).anySatisfy(constraint -> assertThat(constraint.getTopologyKey()).isEqualTo("kubernetes.io/hostname"));
    boolean requiredAntiAffinity = Optional.ofNullable(pod.getAffinity()).map(a -> a.getPodAntiAffinity())
        .map(a -> a.getRequiredDuringSchedulingIgnoredDuringExecution()).filter(l -> !l.isEmpty()).isPresent();
    assertThat(requiredAntiAffinity).as("hard anti-affinity would leave a replica pending on one node").isFalse();
  }

  @Test
  void imageRunsTheShadedJarAsTheUserTheDeploymentExpects() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("Dockerfile")).stream().map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    assertThat(lines).first().asString().startsWith("FROM eclipse-temurin:21-jre");
    assertThat(lines).contains("COPY operator/target/etcd-operator.jar /app/etcd-operator.jar",
        "USER " + NON_ROOT_USER + ":" + NON_ROOT_USER,
        "ENTRYPOINT [\"java\", \"-jar\", \"/app/etcd-operator.jar\"]");
    assertThat(lines).filteredOn(l -> l.startsWith("FROM ")).hasSize(1);
  }

  // ---------------------------------------------------------------------------------------------------------------

  private static List<String> manifestFiles() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml") || n.endsWith(".yml"))
          .sorted().toList();
    }
  }

  private static HasMetadata load(String file) {
    try {
      Object parsed = SERIALIZATION.unmarshal(Files.readString(DIR.resolve(file)));
      assertThat(parsed).as(file + " holds exactly one Kubernetes object").isInstanceOf(HasMetadata.class);
      return (HasMetadata) parsed;
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }

  private static <T extends HasMetadata> T load(String file, Class<T> kind) {
    HasMetadata object = load(file);
    assertThat(object).as(file).isInstanceOf(kind);
    return kind.cast(object);
  }

  private static Container operatorContainer() {
    return load("deployment.yaml", Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  /** The container's environment; values from the downward API show as {@code <fieldPath>}. */
  private static Map<String, String> env(Container container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : container.getEnv()) {
      if (var.getValueFrom() != null) {
        assertThat(var.getValueFrom().getFieldRef()).as(var.getName() + " comes from the downward API").isNotNull();
        env.put(var.getName(), "<" + var.getValueFrom().getFieldRef().getFieldPath() + ">");
      } else {
        env.put(var.getName(), var.getValue());
      }
    }
    return env;
  }

  /** What the operator reads from the Deployment's environment (in-cluster defaults switched off, so they show). */
  private static OperatorConfig deployedConfig() {
    Map<String, String> env = new HashMap<>(env(operatorContainer()));
    env.replaceAll((name, value) -> switch (value) {
      case "<metadata.namespace>" -> OPERATOR_NAMESPACE;
      case "<metadata.name>" -> "etcd-operator-5d8f7c9b6-x2x7q";
      default -> value;
    });
    assertThat(env.values()).noneMatch(v -> v.startsWith("<"));
    return OperatorConfig.fromEnvironment(env, false, null);
  }

  private static HTTPGetAction httpGet(Probe probe) {
    assertThat(probe).isNotNull();
    assertThat(probe.getHttpGet()).as("an HTTP probe").isNotNull();
    return probe.getHttpGet();
  }

  private static int probePort(Container container, HTTPGetAction get) {
    if (get.getPort().getIntVal() != null) {
      return get.getPort().getIntVal();
    }
    String name = get.getPort().getStrVal();
    return container.getPorts().stream().filter(p -> name.equals(p.getName())).findFirst()
        .orElseThrow(() -> new AssertionError("no container port named " + name)).getContainerPort();
  }

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

  /** Paths of values the Fabric8 model kept as additional properties, i.e. fields Kubernetes does not define. */
  private static void collectUnknownFields(Object value, String path, List<String> unknown) {
    if (value instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        collectUnknownFields(item, path + "[" + i++ + "]", unknown);
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> collectUnknownFields(v, path + "." + k, unknown));
      return;
    }
    if (value == null || !value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model.")) {
      return;
    }
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
          || getter.getDeclaringClass() == Object.class || java.lang.reflect.Modifier.isStatic(getter.getModifiers())) {
        continue;
      }
      Object child;
      try {
        child = getter.invoke(value);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new AssertionError("cannot read " + path + " via " + getter, e);
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
          unknown.add(path + ": " + extra.keySet().stream().map(String::valueOf).collect(Collectors.joining(", ")));
        }
      } else {
        String field = getter.getName().substring(3);
        collectUnknownFields(child, path + "." + Character.toLowerCase(field.charAt(0)) + field.substring(1),
            unknown);
      }
    }
  }
}
