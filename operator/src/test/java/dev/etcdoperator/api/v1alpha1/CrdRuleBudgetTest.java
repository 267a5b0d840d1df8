package dev.etcdoperator.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.CrdRuleBudget.RuleCost;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsOrArray;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRuleBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real API server estimates the cost of every CEL rule of a CRD and refuses the CRD when one rule or all of them
 * together could cost too much on the largest object the schema allows (the API stand-in of the other tests does
 * not, so only this test can see it). The committed CRDs must bound everything their rules can read and stay far
 * under both limits; the estimate itself must refuse what a real API server (Kubernetes 1.36) refused.
 */
class CrdRuleBudgetTest {
  /** A tenth of each limit: room for new rules, and for the estimate being rough. */
  private static final long RULE_BUDGET = CrdRuleBudget.PER_RULE_LIMIT / 10;
  private static final long CRD_BUDGET = CrdRuleBudget.PER_CRD_LIMIT / 10;

  static Stream<String> crdFiles() throws IOException {
    try (Stream<Path> files = Files.list(crdsDir())) {
      return files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("crdFiles")
  void everyCollectionAndStringARuleCanReadIsBounded(String file) throws IOException {
    assertThat(budget(schema(file)).unbounded()).as("fields of %s under a validation rule without a bound", file)
        .isEmpty();
  }

  @ParameterizedTest
  @MethodSource("crdFiles")
  void noRuleIteratesOverACollectionInsideAnIterationOverTheSame(String file) throws IOException {
    assertThat(budget(schema(file)).nestedIterations()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("crdFiles")
  void everyRuleAndTheirSumStayFarUnderTheApiServersLimits(String file) throws IOException {
    CrdRuleBudget budget = budget(schema(file));
    assertThat(budget.costs()).as("the CRD has validation rules").isNotEmpty();
    assertThat(budget.costs()).as("rules of %s over %,d (a tenth of the per-rule limit):%n%s", file, RULE_BUDGET,
        table(budget.costs())).allSatisfy(cost -> assertThat(cost.cost()).isLessThan(RULE_BUDGET));
    assertThat(budget.total()).as("all rules of %s together:%n%s", file, table(budget.costs()))
        .isLessThan(CRD_BUDGET);
  }

  /**
   * The schema as it was when a real API server refused it: extraArgs unbounded ("exceeds budget by factor of
   * 2.0x") and client certificates unbounded with a uniqueness rule that iterates inside itself ("by factor of more
   * than 100x"). The estimate must come to the same verdicts, or a pass of the tests above would mean nothing.
   */
  @Test
  void theEstimateRefusesWhatARealApiServerRefused() throws IOException {
    JSONSchemaProps root = schema("etcdclusters.etcdoperator.dev-v1.yml");
    JSONSchemaProps spec = root.getProperties().get("spec");
    JSONSchemaProps extraArgs = spec.getProperties().get("etcd").getProperties().get("extraArgs");
    extraArgs.setMaxProperties(null);
    extraArgs.getAdditionalProperties().getSchema().setMaxLength(null);
    JSONSchemaProps clientCertificates = spec.getProperties().get("tls").getProperties().get("clientCertificates");
    clientCertificates.setMaxItems(null);
    clientCertificates.getItems().getSchema().getProperties().get("name").setMaxLength(null);
    clientCertificates.setXKubernetesValidations(List.of(new ValidationRuleBuilder()
        .withRule("self.all(c, self.exists_one(d, d.name == c.name))")
        .withMessage("tls.clientCertificates names must be unique").build()));

    CrdRuleBudget budget = budget(root);

    double extraArgsFactor = (double) cost(budget, ".spec.etcd.extraArgs", "!(k in") / CrdRuleBudget.PER_RULE_LIMIT;
    assertThat(extraArgsFactor).as("the API server said 2.0x").isBetween(1.5, 3.0);
    double uniquenessFactor = (double) cost(budget, ".spec.tls.clientCertificates", "exists_one")
        / CrdRuleBudget.PER_RULE_LIMIT;
    assertThat(uniquenessFactor).as("the API server said more than 100x").isGreaterThan(100);
    assertThat(budget.total()).isGreaterThan(CrdRuleBudget.PER_CRD_LIMIT);
    assertThat(budget.nestedIterations()).containsExactly(
        ".spec.tls.clientCertificates: self.all(c, self.exists_one(d, d.name == c.name))");
    assertThat(budget.unbounded()).containsExactlyInAnyOrder(
        ".spec.etcd.extraArgs: map without maxProperties", ".spec.etcd.extraArgs{}: string without maxLength",
        ".spec.tls.clientCertificates: array without maxItems",
        ".spec.tls.clientCertificates[].name: string without maxLength");
  }

  /** The walk also names a bound whose removal the cost estimate alone would not notice (startsWith is cheap). */
  @Test
  void aRemovedBoundIsNamed() throws IOException {
    JSONSchemaProps root = schema("etcdclusters.etcdoperator.dev-v1.yml");
    JSONSchemaProps spec = root.getProperties().get("spec");
    spec.getProperties().get("version").setMaxLength(null);
    spec.getProperties().get("podTemplate").getProperties().get("affinity").getProperties().get("nodeAffinity")
        .getProperties().get("requiredDuringSchedulingIgnoredDuringExecution").getProperties()
        .get("nodeSelectorTerms").setMaxItems(null);

    assertThat(budget(root).unbounded()).containsExactlyInAnyOrder(".spec.version: string without maxLength",
        ".spec.podTemplate.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms:"
            + " array without maxItems");
  }

  @Test
  void costsFollowTheSizesTheSchemaAllows() {
    JSONSchemaProps names = new JSONSchemaProps();
    names.setType("array");
    names.setMaxItems(10L);
    JSONSchemaProps name = new JSONSchemaProps();
    name.setType("string");
    name.setMaxLength(25L);
    names.setItems(new JSONSchemaPropsOrArray(List.of(), name));

    // Per item: the variable (1), the comparison (a tenth of the literal's 3 characters: 1), the macro's 3.
    assertThat(CelCostEstimate.of("self.all(n, n == 'abc')", names)).isEqualTo(1 + 10 * (1 + 1 + 3));
    // A comparison of two bounded strings: a tenth of the 100 bytes 25 characters may take.
    assertThat(CelCostEstimate.of("self[0] == self[1]", names)).isEqualTo(2 * (1 + 0 + 1) + 10);
    names.setMaxItems(null);
    assertThat(CelCostEstimate.of("self.all(n, n == 'abc')", names))
        .isEqualTo(1 + (CelCostEstimate.MAX_REQUEST_BYTES - 2) / 3 * 5);
  }

  private static long cost(CrdRuleBudget budget, String path, String ruleFragment) {
    return budget.costs().stream().filter(c -> c.path().equals(path) && c.rule().contains(ruleFragment))
        .mapToLong(RuleCost::cost).findFirst().orElseThrow();
  }

  private static String table(List<RuleCost> costs) {
    return costs.stream().map(c -> String.format("%,15d  %s: %s", c.cost(), c.path(), c.rule()))
        .collect(Collectors.joining("\n"));
  }

  private static CrdRuleBudget budget(JSONSchemaProps root) {
    return CrdRuleBudget.of(root);
  }

  private static JSONSchemaProps schema(String file) throws IOException {
    CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(crdsDir().resolve(file)),
        CustomResourceDefinition.class);
    assertThat(crd.getSpec().getVersions()).hasSize(1);
    return crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
  }

  private static Path crdsDir() {
    return Path.of(System.getProperty("crds.dir", "../crds"));
  }
}
