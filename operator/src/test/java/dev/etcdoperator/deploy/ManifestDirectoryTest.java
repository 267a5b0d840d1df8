package dev.etcdoperator.deploy;

import static dev.etcdoperator.deploy.DeployManifests.DIR;
import static dev.etcdoperator.deploy.DeployManifests.OPERATOR_NAMESPACE;
import static dev.etcdoperator.deploy.DeployManifests.SERIALIZATION;
import static dev.etcdoperator.deploy.DeployManifests.load;
import static dev.etcdoperator.deploy.DeployManifests.manifestFiles;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The deploy/operator directory as a whole: one well-formed object per file, applied in order, kustomizable. */
class ManifestDirectoryTest {
  /** Every manifest file and the one object it holds. */
  private static final Map<String, Class<? extends HasMetadata>> FILES = Map.of(
      "00-namespace.yaml", Namespace.class,
      "serviceaccount.yaml", ServiceAccount.class,
      "clusterrole.yaml", ClusterRole.class,
      "clusterrolebinding.yaml", ClusterRoleBinding.class,
      "role.yaml", Role.class,
      "rolebinding.yaml", RoleBinding.class,
      "deployment.yaml", Deployment.class);

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

  // ---------------------------------------------------------------------------------------------------------------

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
