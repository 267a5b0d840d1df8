package dev.etcdoperator.deploy;

import static dev.etcdoperator.deploy.DeployManifests.OPERATOR_NAMESPACE;
import static dev.etcdoperator.deploy.DeployManifests.SERIALIZATION;
import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The chart in helm/etcd-operator rendered by a real helm (helm-java's bundled native helm, offline) with the given
 * values, as release "etcd-operator" in the namespace deploy/operator uses, parsed into Kubernetes objects.
 */
final class RenderedChart {
  static final Path CHART = Path.of("..", "helm", "etcd-operator");
  static final String RELEASE = "etcd-operator";
  /** The oldest Kubernetes the CRDs support (Chart.yaml kubeVersion), so nothing renders only on newer ones. */
  static final String KUBE_VERSION = "1.29.0";

  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

  final String yaml;
  final List<HasMetadata> objects;

  private RenderedChart(String yaml, List<HasMetadata> objects) {
    this.yaml = yaml;
    this.objects = objects;
  }

  /** Renders with these values (nested maps, as in a values file) over the chart's values.yaml. */
  static RenderedChart render(Map<String, Object> values) {
    return render(CHART, values);
  }

  static RenderedChart render(Path chart, Map<String, Object> values) {
    String yaml = new Helm(chart).template().withName(RELEASE).withNamespace(OPERATOR_NAMESPACE)
        .withKubeVersion(KUBE_VERSION).withValuesFile(valuesFile(values)).call();
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
      if (document.lines().anyMatch(line -> !line.isBlank() && !line.startsWith("#"))) {
        objects.add(SERIALIZATION.unmarshal(document, HasMetadata.class));
      }
    }
    return new RenderedChart(yaml, objects);
  }

  static Path valuesFile(Map<String, Object> values) {
    try {
      Path file = Files.createTempFile("values-", ".yaml");
      file.toFile().deleteOnExit();
      Files.writeString(file, SERIALIZATION.asYaml(values));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  <T extends HasMetadata> List<T> all(Class<T> kind) {
    return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  <T extends HasMetadata> T one(Class<T> kind, String name) {
    List<T> named = all(kind).stream().filter(o -> o.getMetadata().getName().equals(name)).toList();
    assertThat(named).as("rendered %s %s", kind.getSimpleName(), name).hasSize(1);
    return named.get(0);
  }

  List<String> kinds() {
    return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).sorted().toList();
  }
}
