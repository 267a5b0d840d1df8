package dev.etcdoperator.deploy;

import static dev.etcdoperator.deploy.DeployManifests.SERIALIZATION;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart installs the CRDs of crds/ itself (as templates, so that `helm upgrade` upgrades them): its
 * files/crds/ is a byte-for-byte copy, refreshed with {@code -Dcrds.update=true} like crds/ itself
 * (CustomResourceDefinitionTest), and what it renders is those CRDs, plus the release's labels and the keep policy.
 */
class ChartCrdsTest {
  static final Path CRDS = Path.of(System.getProperty("crds.dir", "../crds"));
  static final Path CHART_CRDS = RenderedChart.CHART.resolve("files").resolve("crds");

  @Test
  void theChartsCopiesAreTheCrdsByteForByte() throws IOException {
    if (Boolean.getBoolean("crds.update")) {
      copyCrdsIntoTheChart();
    }
    assertThat(fileNames(CHART_CRDS)).as("helm/etcd-operator/files/crds").isEqualTo(fileNames(CRDS));
    for (String file : fileNames(CRDS)) {
      assertThat(Files.readString(CHART_CRDS.resolve(file)))
          .as("helm/etcd-operator/files/crds/%s is stale: run the CRD regeneration (docs/development.md) with "
              + "-Dcrds.update=true, which copies crds/ into the chart", file)
          .isEqualTo(Files.readString(CRDS.resolve(file)));
    }
  }

  @Test
  void theRenderedCrdsAreTheCrdsWithTheReleasesLabelsAndKeptOnUninstall() throws IOException {
    List<CustomResourceDefinition> rendered = RenderedChart.render(Map.of()).all(CustomResourceDefinition.class);
    assertThat(rendered).hasSameSizeAs(fileNames(CRDS));
    for (String file : fileNames(CRDS)) {
      CustomResourceDefinition expected = SERIALIZATION.unmarshal(Files.readString(CRDS.resolve(file)),
          CustomResourceDefinition.class);
      CustomResourceDefinition actual = rendered.stream()
          .filter(c -> c.getMetadata().getName().equals(expected.getMetadata().getName())).findFirst()
          .orElseThrow(() -> new AssertionError("the chart does not render " + expected.getMetadata().getName()));
      assertThat(actual.getMetadata().getAnnotations()).containsExactly(Map.entry("helm.sh/resource-policy", "keep"));
      assertThat(actual.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "Helm");
      for (CustomResourceDefinition crd : List.of(actual, expected)) {
        crd.getMetadata().setAnnotations(null);
        crd.getMetadata().setLabels(null);
      }
      // Compared as YAML text of the parsed objects: a difference then shows as a readable diff.
      assertThat(SERIALIZATION.asYaml(actual)).as(file).isEqualTo(SERIALIZATION.asYaml(expected));
    }
  }

  @Test
  void crdsCanBeLeftToTheUserOrNotKept() {
    assertThat(RenderedChart.render(Map.of("crds", Map.of("install", false))).all(CustomResourceDefinition.class))
        .isEmpty();
    assertThat(RenderedChart.render(Map.of("crds", Map.of("keep", false))).all(CustomResourceDefinition.class))
        .hasSize(2).allSatisfy(crd -> assertThat(crd.getMetadata().getAnnotations()).isNullOrEmpty());
  }

  /** The update mode: crds/ (just regenerated from the model) copied into the chart. */
  static void copyCrdsIntoTheChart() throws IOException {
    for (String stale : fileNames(CHART_CRDS)) {
      if (!Files.exists(CRDS.resolve(stale))) {
        Files.delete(CHART_CRDS.resolve(stale));
      }
    }
    for (String file : fileNames(CRDS)) {
      Files.copy(CRDS.resolve(file), CHART_CRDS.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static List<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".yml") || n.endsWith(".yaml"))
          .sorted().toList();
    }
  }
}
