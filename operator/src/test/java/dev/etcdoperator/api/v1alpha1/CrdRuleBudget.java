package dev.etcdoperator.api.v1alpha1;

import dev.etcdoperator.api.v1alpha1.CelExpression.Call;
import dev.etcdoperator.api.v1alpha1.CelExpression.Comprehension;
import dev.etcdoperator.api.v1alpha1.CelExpression.ListLiteral;
import dev.etcdoperator.api.v1alpha1.CelExpression.MapLiteral;
import dev.etcdoperator.api.v1alpha1.CelExpression.Node;
import dev.etcdoperator.api.v1alpha1.CelExpression.Select;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a real API server checks of a CRD's validation rules before it admits the CRD, read off one version's
 * schema: the estimated cost of every rule (times how many times it runs: once per item of every list or map it
 * sits in), the fields under a rule whose size the schema leaves open, and rules that iterate over a collection
 * inside an iteration over the same collection.
 */
final class CrdRuleBudget {
  /**
   * Limits of k8s.io/apiextensions-apiserver (pkg/apis/apiextensions/validation: StaticEstimatedCostLimit and
   * StaticEstimatedCRDCostLimit), the same from Kubernetes 1.25 to 1.36.
   */
  static final long PER_RULE_LIMIT = 10_000_000L;
  static final long PER_CRD_LIMIT = 100_000_000L;

  record RuleCost(String path, String rule, long cost) {}

  private static final Set<String> BOUNDED_FORMATS = Set.of("date", "date-time", "duration");

  private final List<RuleCost> costs = new ArrayList<>();
  private final List<String> unbounded = new ArrayList<>();
  private final List<String> nestedIterations = new ArrayList<>();

  private CrdRuleBudget() {}

  static CrdRuleBudget of(JSONSchemaProps openApiV3Schema) {
    CrdRuleBudget budget = new CrdRuleBudget();
    budget.walk(openApiV3Schema, "", 1, false);
    return budget;
  }

  List<RuleCost> costs() {
    return costs;
  }

  long total() {
    return costs.stream().mapToLong(RuleCost::cost).reduce(0, CelCostEstimate::plus);
  }

  /** Arrays without maxItems, maps without maxProperties, strings without maxLength (or enum) under a rule. */
  List<String> unbounded() {
    return unbounded;
  }

  List<String> nestedIterations() {
    return nestedIterations;
  }

  private void walk(JSONSchemaProps node, String path, long cardinality, boolean underRule) {
    List<ValidationRule> rules = node.getXKubernetesValidations() == null ? List.of()
        : node.getXKubernetesValidations();
    for (ValidationRule rule : rules) {
      long once = CelCostEstimate.of(rule.getRule(), node);
      costs.add(new RuleCost(path.isEmpty() ? "." : path, rule.getRule(), CelCostEstimate.times(once, cardinality)));
      findNestedIterations(CelExpression.parse(rule.getRule()), List.of(), path, rule.getRule());
    }
    boolean bounded = underRule || !rules.isEmpty();
    if (bounded) {
      checkBound(node, path);
    }
    if (node.getProperties() != null) {
      node.getProperties().forEach((name, child) -> walk(child, path + "." + name, cardinality, bounded));
    }
    if (node.getItems() != null && node.getItems().getSchema() != null) {
      walk(node.getItems().getSchema(), path + "[]", CelCostEstimate.times(cardinality, CelCostEstimate.size(node)),
          bounded);
    }
    if (CelCostEstimate.isMap(node)) {
      walk(node.getAdditionalProperties().getSchema(), path + "{}",
          CelCostEstimate.times(cardinality, CelCostEstimate.size(node)), bounded);
    }
  }

  private void checkBound(JSONSchemaProps node, String path) {
    String type = String.valueOf(node.getType());
    if (type.equals("array") && node.getMaxItems() == null) {
      unbounded.add(path + ": array without maxItems");
    } else if (type.equals("object") && CelCostEstimate.isMap(node) && node.getMaxProperties() == null) {
      unbounded.add(path + ": map without maxProperties");
    } else if (type.equals("string") && node.getMaxLength() == null
        && (node.getEnum() == null || node.getEnum().isEmpty()) && !BOUNDED_FORMATS.contains(String.valueOf(node.getFormat()))) {
      unbounded.add(path + ": string without maxLength");
    }
  }

  /** A macro whose body iterates over the same range again: quadratic in the collection's size. */
  private void findNestedIterations(Node node, List<Node> enclosingRanges, String path, String rule) {
    List<Node> ranges = enclosingRanges;
    if (node instanceof Comprehension comprehension) {
      if (enclosingRanges.contains(comprehension.range())) {
        nestedIterations.add(path + ": " + rule);
      }
      ranges = Stream.concat(enclosingRanges.stream(), Stream.of(comprehension.range())).toList();
    }
    for (Node child : children(node)) {
      findNestedIterations(child, ranges, path, rule);
    }
  }

  private static List<Node> children(Node node) {
    return switch (node) {
      case Select select -> List.of(select.operand());
      case Call call -> call.target() == null ? call.args()
          : Stream.concat(Stream.of(call.target()), call.args().stream()).toList();
      case ListLiteral list -> list.elements();
      case MapLiteral map -> map.entries();
      case Comprehension comprehension -> Stream.concat(Stream.of(comprehension.range()),
          comprehension.body().stream()).toList();
      default -> List.of();
    };
  }
}
