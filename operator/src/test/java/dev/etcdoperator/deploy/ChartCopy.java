package dev.etcdoperator.deploy;

import static dev.etcdoperator.deploy.DeployManifests.SERIALIZATION;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A throwaway copy of the chart, for what helm-java can only do on a chart directory: lint it with other values
 * (written into the copy's values.yaml), or package files the repository's chart does not hold yet.
 */
final class ChartCopy {
  final Path dir;

  private ChartCopy(Path dir) {
    this.dir = dir;
  }

  static ChartCopy of(Path chart) {
    try {
      Path target = Files.createTempDirectory("chart-").resolve(chart.toAbsolutePath().normalize().getFileName());
      try (Stream<Path> files = Files.walk(chart)) {
        for (Path source : files.toList()) {
          Path copy = target.resolve(chart.relativize(source).toString());
          if (Files.isDirectory(source)) {
            Files.createDirectories(copy);
          } else {
            Files.copy(source, copy);
          }
        }
      }
      return new ChartCopy(target);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Overrides values.yaml with these values, merged into it the way helm merges a values file. */
  @SuppressWarnings("unchecked")
  ChartCopy withValues(Map<String, Object> overrides) {
    try {
      Path values = dir.resolve("values.yaml");
      Map<String, Object> merged = SERIALIZATION.unmarshal(Files.readString(values), LinkedHashMap.class);
      merge(merged, overrides);
      Files.writeString(values, SERIALIZATION.asYaml(merged));
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  ChartCopy withFile(String relativePath, String content) {
    try {
      Files.writeString(dir.resolve(relativePath), content);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  ChartCopy withoutFile(String relativePath) {
    try {
      Files.delete(dir.resolve(relativePath));
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static void merge(Map<String, Object> into, Map<String, Object> overrides) {
    overrides.forEach((key, value) -> {
      if (value instanceof Map<?, ?> nested && into.get(key) instanceof Map<?, ?> existing) {
        Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) existing);
        merge(copy, (Map<String, Object>) nested);
        into.put(key, copy);
      } else {
        into.put(key, value);
      }
    });
  }
}
