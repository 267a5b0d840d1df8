package dev.etcdoperator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Layers point one way (GUIDE §1): every import of one of our packages goes to a lower layer, so there are no
 * cycles, nothing imports upwards, and the reconcilers do not lean on each other.
 */
class PackageLayersTest {
  private static final Path SOURCES = Path.of("src/main/java/dev/etcdoperator");
  private static final Map<String, Integer> LAYER = Map.ofEntries(
      Map.entry("api", 0), Map.entry("support", 0),
      Map.entry("config", 1), Map.entry("resources", 1), Map.entry("pki", 1), Map.entry("etcd", 1),
      Map.entry("schedule", 1), Map.entry("objectstore", 1),
      Map.entry("access", 2), Map.entry("restore", 2),
      Map.entry("cluster", 3), Map.entry("backup", 3), Map.entry("maintenance", 3),
      Map.entry("", 4));
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.etcdoperator\\.([a-z0-9]+)\\.",
      Pattern.MULTILINE);

  @Test
  void everyImportOfOurOwnPackagesGoesDownwards() throws IOException {
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Path relative = SOURCES.relativize(file);
        String from = relative.getNameCount() == 1 ? "" : relative.getName(0).toString();
        assertThat(LAYER).as("layer of package '%s' (%s)", from, file).containsKey(from);
        Matcher imports = IMPORT.matcher(Files.readString(file));
        while (imports.find()) {
          String to = imports.group(1);
          if (to.equals(from)) {
            continue;
          }
          Integer target = LAYER.get(to);
          if (target == null || target >= LAYER.get(from)) {
            violations.add(file + " imports " + to + " (layer " + target + " from layer " + LAYER.get(from) + ")");
          }
        }
      }
    }
    assertThat(violations).isEmpty();
  }
}
