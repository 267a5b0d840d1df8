package dev.etcdoperator.deploy;

import static dev.etcdoperator.deploy.DeployManifests.SERIALIZATION;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What `kubectl kustomize DIR` makes of this repository's kustomizations (no kustomize binary runs in the build):
 * resources (files and other kustomization directories) and inline patches, either `$patch: delete` or JSON 6902
 * "add" operations on a target. Anything else in a Kustomization fails here rather than being ignored, so a
 * kustomization that grows a feature this does not model cannot pass the comparison with the chart by accident.
 */
final class KustomizeBuild {
  private static final Set<String> SUPPORTED_FIELDS = Set.of("apiVersion", "kind", "resources", "patches");

  private KustomizeBuild() {
  }

  @SuppressWarnings("unchecked")
  static List<HasMetadata> build(Path dir) {
    Map<String, Object> kustomization = SERIALIZATION.unmarshal(read(dir.resolve("Kustomization")), Map.class);
    assertThat(kustomization.keySet()).as("fields of %s/Kustomization this build models", dir)
        .isSubsetOf(SUPPORTED_FIELDS);
    List<HasMetadata> objects = new ArrayList<>();
    for (String resource : (List<String>) kustomization.getOrDefault("resources", List.of())) {
      Path path = dir.resolve(resource);
      if (Files.isDirectory(path)) {
        objects.addAll(build(path));
      } else {
        objects.add(SERIALIZATION.unmarshal(read(path), HasMetadata.class));
      }
    }
    for (Map<String, Object> patch : (List<Map<String, Object>>) kustomization.getOrDefault("patches", List.of())) {
      apply(objects, patch);
    }
    return objects;
  }

  @SuppressWarnings("unchecked")
  private static void apply(List<HasMetadata> objects, Map<String, Object> patch) {
    assertThat(patch.keySet()).as("patch fields this build models").isSubsetOf(Set.of("patch", "target"));
    Object parsed = SERIALIZATION.unmarshal((String) patch.get("patch"), Object.class);
    if (parsed instanceof Map<?, ?> strategic) {
      assertThat(strategic.get("$patch")).as("strategic merge patches this build models").isEqualTo("delete");
      Map<String, Object> metadata = (Map<String, Object>) strategic.get("metadata");
      boolean removed = objects.removeIf(o -> o.getKind().equals(strategic.get("kind"))
          && o.getMetadata().getName().equals(metadata.get("name")));
      assertThat(removed).as("the object %s deletes", patch).isTrue();
      return;
    }
    Map<String, Object> target = (Map<String, Object>) patch.get("target");
    List<HasMetadata> matching = objects.stream().filter(o -> o.getKind().equals(target.get("kind"))
        && o.getMetadata().getName().equals(target.get("name"))).toList();
    assertThat(matching).as("the target of %s", patch).hasSize(1);
    HasMetadata object = matching.get(0);
    Map<String, Object> tree = SERIALIZATION.convertValue(object, Map.class);
    for (Map<String, Object> operation : (List<Map<String, Object>>) parsed) {
      assertThat(operation.get("op")).as("JSON 6902 operations this build models").isEqualTo("add");
      add(tree, (String) operation.get("path"), operation.get("value"));
    }
    objects.set(objects.indexOf(object), SERIALIZATION.convertValue(tree, object.getClass()));
  }

  /** JSON Pointer "add": into a map by key, into a list at an index or at its end ("-"). */
  @SuppressWarnings("unchecked")
  private static void add(Map<String, Object> tree, String pointer, Object value) {
    String[] steps = pointer.substring(1).split("/");
    Object node = tree;
    for (int i = 0; i < steps.length - 1; i++) {
      node = node instanceof List<?> list ? list.get(Integer.parseInt(steps[i])) : ((Map<String, Object>) node)
          .get(steps[i]);
      assertThat(node).as("%s at %s", pointer, steps[i]).isNotNull();
    }
    String last = steps[steps.length - 1];
    if (node instanceof List<?> list) {
      ((List<Object>) list).add(last.equals("-") ? list.size() : Integer.parseInt(last), value);
    } else {
      ((Map<String, Object>) node).put(last, value);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
