package dev.etcdoperator.deploy;

import static dev.etcdoperator.deploy.DeployManifests.SERIALIZATION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.deploy.LuaHealthCheck.Health;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of every health_test.yaml under deploy/argocd, run the way Argo CD's own tests of its
 * resource_customizations run them: the testdata object through health.lua, compared with the expected status and
 * message.
 */
class ArgoHealthTestsTest {
  /** The customisations: group/kind directories. */
  private static final List<String> KINDS = List.of("etcdoperator.dev/EtcdCluster", "etcdoperator.dev/EtcdBackup");

  @Test
  void eachKindHasAHealthCheckWithTestsAndEveryTestdataFileIsUsed() throws IOException {
    try (Stream<Path> groups = Files.list(LuaHealthCheck.CUSTOMIZATIONS)) {
      List<String> found = new ArrayList<>();
      for (Path group : groups.toList()) {
        try (Stream<Path> kinds = Files.list(group)) {
          kinds.forEach(kind -> found.add(group.getFileName() + "/" + kind.getFileName()));
        }
      }
      assertThat(found).containsExactlyInAnyOrderElementsOf(KINDS);
    }
    for (String kind : KINDS) {
      Path dir = LuaHealthCheck.CUSTOMIZATIONS.resolve(kind);
      assertThat(dir.resolve("health.lua")).exists();
      Set<String> used = new TreeSet<>(cases(dir).stream().map(c -> c.inputPath()).toList());
      try (Stream<Path> testdata = Files.list(dir.resolve("testdata"))) {
        assertThat(testdata.map(f -> "testdata/" + f.getFileName()).sorted().toList()).as(kind)
            .containsExactlyElementsOf(used);
      }
    }
  }

  @TestFactory
  List<DynamicTest> everyCaseOfEveryHealthTestYaml() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (String kind : KINDS) {
      Path dir = LuaHealthCheck.CUSTOMIZATIONS.resolve(kind);
      String[] groupAndKind = kind.split("/");
      LuaHealthCheck check = LuaHealthCheck.of(groupAndKind[0], groupAndKind[1]);
      for (Case c : cases(dir)) {
        tests.add(DynamicTest.dynamicTest(kind + " " + c.inputPath(), () -> {
          Object input = SERIALIZATION.unmarshal(Files.readString(dir.resolve(c.inputPath())), Map.class);
          assertThat(check.run(input)).isEqualTo(c.expected());
        }));
      }
    }
    assertThat(tests).hasSizeGreaterThan(KINDS.size());
    return tests;
  }

  private record Case(String inputPath, Health expected) {}

  @SuppressWarnings("unchecked")
  private static List<Case> cases(Path dir) throws IOException {
    Map<String, Object> file = SERIALIZATION.unmarshal(Files.readString(dir.resolve("health_test.yaml")), Map.class);
    List<Case> cases = new ArrayList<>();
    for (Map<String, Object> test : (List<Map<String, Object>>) file.get("tests")) {
      Map<String, String> health = (Map<String, String>) test.get("healthStatus");
      cases.add(new Case((String) test.get("inputPath"), new Health(health.get("status"), health.get("message"))));
    }
    return cases;
  }
}
