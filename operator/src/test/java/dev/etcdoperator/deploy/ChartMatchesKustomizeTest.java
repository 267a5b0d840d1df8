package dev.etcdoperator.deploy;

import static dev.etcdoperator.deploy.DeployManifests.SERIALIZATION;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The two installs cannot drift: the chart, rendered with the values that describe a kustomize install, gives the
 * same operator objects (Deployment, ServiceAccount, RBAC) as `kubectl kustomize`, compared after parsing. What may
 * differ is the release's bookkeeping (labels Helm adds; kustomize has one install per cluster and needs none),
 * rule order (no meaning in RBAC) and Namespaces (Helm does not create them: `--create-namespace`).
 */
class ChartMatchesKustomizeTest {
  private static final Set<String> OPERATOR_KINDS = Set.of("Deployment", "ServiceAccount", "ClusterRole",
      "ClusterRoleBinding", "Role", "RoleBinding");
  private static final Set<String> RELEASE_LABELS = Set.of("helm.sh/chart", "app.kubernetes.io/managed-by",
      "app.kubernetes.io/version", "app.kubernetes.io/instance");

  @Test
  void theDefaultValuesRenderDeployOperator() {
    assertSameOperatorObjects(RenderedChart.render(Map.of()).objects,
        KustomizeBuild.build(Path.of("..", "deploy", "operator")));
  }

  @Test
  void namespacedValuesRenderDeployOperatorNamespaced() {
    RenderedChart chart = RenderedChart.render(Map.of("rbac", Map.of("scope", "namespaces"),
        "watchNamespaces", List.of("etcd")));
    assertSameOperatorObjects(chart.objects, KustomizeBuild.build(Path.of("..", "deploy", "operator-namespaced")));
  }

  private static void assertSameOperatorObjects(List<HasMetadata> chart, List<HasMetadata> kustomize) {
    Map<String, String> rendered = comparable(chart);
    Map<String, String> expected = comparable(kustomize);
    assertThat(rendered.keySet()).as("operator objects").isEqualTo(expected.keySet());
    expected.forEach((key, yaml) -> assertThat(rendered.get(key)).as(key).isEqualTo(yaml));
  }

  /** The operator objects by kind/namespace/name, as YAML of their normalised form (a readable diff on failure). */
  private static Map<String, String> comparable(List<HasMetadata> objects) {
    Map<String, String> byKey = new TreeMap<>();
    for (HasMetadata object : objects) {
      if (OPERATOR_KINDS.contains(object.getKind())) {
        @SuppressWarnings("unchecked")
        Map<String, Object> tree = SERIALIZATION.convertValue(object, Map.class);
        normalise(tree, null);
        byKey.put(object.getKind() + "/" + object.getMetadata().getNamespace() + "/" + object.getMetadata().getName(),
            SERIALIZATION.asYaml(tree));
      }
    }
    return byKey;
  }

  @SuppressWarnings("unchecked")
  private static void normalise(Object node, String key) {
    if (node instanceof Map<?, ?> map) {
      if ("labels".equals(key) || "matchLabels".equals(key)) {
        map.keySet().removeAll(RELEASE_LABELS);
      }
      ((Map<String, Object>) map).forEach((k, v) -> normalise(v, k));
    } else if (node instanceof List<?> list) {
      list.forEach(item -> normalise(item, null));
      if ("rules".equals(key)) {
        List<Object> sorted = new ArrayList<>(list);
        sorted.sort(Comparator.comparing(SERIALIZATION::asJson));
        ((List<Object>) list).clear();
        ((List<Object>) list).addAll(sorted);
      }
    }
  }
}
