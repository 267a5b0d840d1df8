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
 * cycles, nothing imports upwards, and the reconcilers do not lean on each other. Inside {@code cluster}, the loop
 * (the package itself) sits on one package per capability, which meet only in the loop: each may use
 * {@code cluster.model} (the steps and observations they all speak) and nothing of a sibling or of the loop.
 */
class PackageLayersTest {
  private static final Path SOURCES = Path.of("src/main/java/dev/etcdoperator");
  private static final Map<String, Integer> LAYER = Map.ofEntries(
      Map.entry("api", 0), Map.entry("support", 0),
      Map.entry("config", 1), Map.entry("resources", 1), Map.entry("pki", 1), Map.entry("etcd", 1),
      Map.entry("schedule", 1), Map.entry("objectstore", 1), Map.entry("metrics", 1),
      Map.entry("access", 2), Map.entry("restore", 2), Map.entry("maintenance", 2),
      Map.entry("cluster", 3), Map.entry("backup", 3),
      Map.entry("", 4));
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.etcdoperator\\.([a-z0-9]+)\\.",
      Pattern.MULTILINE);
  private static final Pattern CLUSTER_IMPORT = Pattern.compile(
      "^import (?:static )?dev\\.etcdoperator\\.cluster\\.(?:([a-z0-9]+)\\.)?[A-Z]", Pattern.MULTILINE);
  private static final String LOOP = "";
  private static final String MODEL = "model";

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

  @Test
  void capabilityPackagesOfTheClusterMeetOnlyInTheLoop() throws IOException {
    Path cluster = SOURCES.resolve("cluster");
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(cluster)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Path relative = cluster.relativize(file);
        String from = relative.getNameCount() == 1 ? LOOP : relative.getName(0).toString();
        clusterImportViolations(from, Files.readString(file)).forEach(v -> violations.add(file + ": " + v));
      }
    }
    assertThat(violations).isEmpty();
  }

  @Test
  void aCapabilityImportingASiblingOrTheLoopIsCaught() {
    assertThat(clusterImportViolations("rollout", "import dev.etcdoperator.cluster.membership.MembershipPlanner;\n"))
        .containsExactly("rollout imports cluster.membership");
    assertThat(clusterImportViolations("tls", "import dev.etcdoperator.cluster.EtcdClusterReconciler;\n"))
        .containsExactly("tls imports the loop (cluster)");
    assertThat(clusterImportViolations("model", "import dev.etcdoperator.cluster.tls.TlsState;\n"))
        .containsExactly("model imports cluster.tls");
    assertThat(clusterImportViolations("restore", "import dev.etcdoperator.cluster.model.ClusterStep;\n")).isEmpty();
    assertThat(clusterImportViolations(LOOP, "import dev.etcdoperator.cluster.restore.RestorePlanner;\n")).isEmpty();
  }

  /** What a file of {@code cluster.<from>} ({@code ""}: the loop) imports from other packages of the cluster. */
  private static List<String> clusterImportViolations(String from, String source) {
    List<String> violations = new ArrayList<>();
    Matcher imports = CLUSTER_IMPORT.matcher(source);
    while (imports.find()) {
      String to = imports.group(1) == null ? LOOP : imports.group(1);
      boolean allowed = to.equals(from) || from.equals(LOOP) || (to.equals(MODEL) && !from.equals(MODEL));
      if (!allowed) {
        violations.add(from + " imports " + (to.equals(LOOP) ? "the loop (cluster)" : "cluster." + to));
      }
    }
    return violations;
  }
}
