package dev.etcdoperator.deploy;

import static dev.etcdoperator.deploy.DeployManifests.SERIALIZATION;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/argocd's ready-made configuration: the argocd-cm patch carries exactly the health checks of
 * resource_customizations (regenerated with {@code -Dargocd.update=true}), and the example Application's Helm values
 * render with the chart.
 */
class ArgoCdManifestsTest {
  private static final Path DIR = Path.of("..", "deploy", "argocd");
  private static final Path CONFIG_MAP = DIR.resolve("argocd-cm.yaml");
  private static final List<String> KINDS = List.of("EtcdCluster", "EtcdBackup");
  private static final String GROUP = "etcdoperator.dev";

  @Test
  void theArgocdCmPatchCarriesTheHealthChecksAsTheyAre() throws IOException {
    String generated = configMap();
    if (Boolean.getBoolean("argocd.update")) {
      Files.writeString(CONFIG_MAP, generated);
    }
    assertThat(Files.readString(CONFIG_MAP)).as("deploy/argocd/argocd-cm.yaml is stale: run ArgoCdManifestsTest with "
        + "-Dargocd.update=true").isEqualTo(generated);
    ConfigMap parsed = SERIALIZATION.unmarshal(generated, ConfigMap.class);
    for (String kind : KINDS) {
      assertThat(parsed.getData().get("resource.customizations.health." + GROUP + "_" + kind))
          .isEqualTo(Files.readString(LuaHealthCheck.CUSTOMIZATIONS.resolve(GROUP).resolve(kind).resolve("health.lua")));
    }
  }

  @Test
  void theExampleApplicationsValuesRenderWithTheChart() throws IOException {
    List<GenericKubernetesResource> applications = Pattern.compile("(?m)^---\\s*$")
        .splitAsStream(Files.readString(DIR.resolve("application.yaml")))
        .map(doc -> SERIALIZATION.unmarshal(doc, GenericKubernetesResource.class)).toList();
    GenericKubernetesResource operator = applications.stream()
        .filter(a -> a.getMetadata().getName().equals("etcd-operator")).findFirst().orElseThrow();
    Map<String, Object> source = operator.get("spec", "source");
    assertThat(source).containsEntry("path", "helm/etcd-operator");
    @SuppressWarnings("unchecked")
    Map<String, Object> values = (Map<String, Object>) ((Map<String, Object>) source.get("helm")).get("valuesObject");
    RenderedChart chart = RenderedChart.render(values);
    assertThat(chart.one(Deployment.class, RenderedChart.RELEASE).getSpec().getReplicas()).isEqualTo(2);
    Map<String, Object> destination = operator.get("spec", "destination");
    assertThat(destination).containsEntry("namespace", DeployManifests.OPERATOR_NAMESPACE);
  }

  /** The patch as `kubectl -n argocd patch configmap argocd-cm --patch-file` takes it, scripts as literal blocks. */
  private static String configMap() throws IOException {
    StringBuilder out = new StringBuilder("""
        # Argo CD health checks for etcd-operator's resources, as a patch of Argo CD's argocd-cm ConfigMap:
        #   kubectl -n argocd patch configmap argocd-cm --patch-file deploy/argocd/argocd-cm.yaml
        # GENERATED from resource_customizations/*/*/health.lua by ArgoCdManifestsTest (-Dargocd.update=true).
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: argocd-cm
          namespace: argocd
          labels:
            app.kubernetes.io/part-of: argocd
        data:
        """);
    for (String kind : KINDS) {
      out.append("  resource.customizations.health.").append(GROUP).append('_').append(kind).append(": |\n");
      for (String line : Files.readAllLines(LuaHealthCheck.CUSTOMIZATIONS.resolve(GROUP).resolve(kind)
          .resolve("health.lua"))) {
        out.append(line.isEmpty() ? "" : "    " + line).append('\n');
      }
    }
    return out.toString();
  }
}
