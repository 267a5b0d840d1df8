package dev.etcdoperator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reads the plain manifests in deploy/operator, and what the operator would make of its Deployment. */
final class DeployManifests {
  static final Path DIR = Path.of("..", "deploy", "operator");
  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  static final String OPERATOR_NAMESPACE = "etcd-operator-system";
  static final long NON_ROOT_USER = 65532L;

  private DeployManifests() {
  }

  static List<String> manifestFiles() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml") || n.endsWith(".yml"))
          .sorted().toList();
    }
  }

  static HasMetadata load(String file) {
    return load(DIR, file);
  }

  static <T extends HasMetadata> T load(Path dir, String file, Class<T> kind) {
    HasMetadata object = load(dir, file);
    assertThat(object).as(file).isInstanceOf(kind);
    return kind.cast(object);
  }

  private static HasMetadata load(Path dir, String file) {
    try {
      Object parsed = SERIALIZATION.unmarshal(Files.readString(dir.resolve(file)));
      assertThat(parsed).as(file + " holds exactly one Kubernetes object").isInstanceOf(HasMetadata.class);
      return (HasMetadata) parsed;
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }

  static <T extends HasMetadata> T load(String file, Class<T> kind) {
    return load(DIR, file, kind);
  }

  static Container operatorContainer() {
    return load("deployment.yaml", Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  /** The container's environment; values from the downward API show as {@code <fieldPath>}. */
  static Map<String, String> env(Container container) {
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
  static OperatorConfig deployedConfig() {
    return configOf(operatorContainer());
  }

  /** What the operator reads from this container's environment (downward API values filled in as a pod would). */
  static OperatorConfig configOf(Container container) {
    Map<String, String> env = new HashMap<>(env(container));
    env.replaceAll((name, value) -> switch (value) {
      case "<metadata.namespace>" -> OPERATOR_NAMESPACE;
      case "<metadata.name>" -> "etcd-operator-5d8f7c9b6-x2x7q";
      case "<status.podIP>" -> "10.244.1.7";
      default -> value;
    });
    assertThat(env.values()).noneMatch(v -> v.startsWith("<"));
    return OperatorConfig.fromEnvironment(env, false, null);
  }
}
