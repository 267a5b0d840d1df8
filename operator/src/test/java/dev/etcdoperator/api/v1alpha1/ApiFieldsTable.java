package dev.etcdoperator.api.v1alpha1;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every field of a CRD's spec and status as a Markdown table for docs/api-reference.md, from the schema the API
 * server enforces: type, default, what is required, the checks (enum, range, pattern, CEL rules by their messages)
 * and the description the model's annotations give. The Kubernetes types spec.podTemplate embeds get one row each,
 * pointing to Kubernetes' own reference.
 */
final class ApiFieldsTable {
  private static final Set<String> EMBEDDED = Set.of(".spec.podTemplate.affinity", ".spec.podTemplate.resources",
      ".spec.podTemplate.tolerations", ".spec.podTemplate.topologySpreadConstraints");

  private final List<String> rows = new ArrayList<>();

  private ApiFieldsTable() {}

  static String of(CustomResourceDefinition crd) {
    ApiFieldsTable table = new ApiFieldsTable();
    Map<String, JSONSchemaProps> top = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema()
        .getProperties();
    for (String part : List.of("spec", "status")) {
      if (top.containsKey(part)) {
        table.walk(top.get(part), "." + part, false);
      }
    }
    return "| field | type | default | description and checks |\n| --- | --- | --- | --- |\n"
        + String.join("", table.rows);
  }

  private void walk(JSONSchemaProps node, String path, boolean required) {
    rows.add("| `" + path + "` | " + type(node) + " | " + (node.getDefault() == null ? "" : "`" + node.getDefault()
        + "`") + " | " + cell(describe(node, required)) + " |\n");
    if (EMBEDDED.contains(path)) {
      return;
    }
    JSONSchemaProps object = node.getItems() != null && node.getItems().getSchema() != null
        ? node.getItems().getSchema() : node;
    String prefix = object == node ? path : path + "[]";
    if (object.getProperties() != null) {
      List<String> needed = object.getRequired() == null ? List.of() : object.getRequired();
      object.getProperties().forEach((child, schema) -> walk(schema, prefix + "." + child, needed.contains(child)));
    }
  }

  private static String type(JSONSchemaProps node) {
    if (Boolean.TRUE.equals(node.getXKubernetesIntOrString())) {
      return "int or string";
    }
    String type = node.getType() == null ? "any" : node.getType();
    return switch (type) {
      case "array" -> "list of " + (node.getItems() == null || node.getItems().getSchema() == null ? "any"
          : type(node.getItems().getSchema()));
      case "object" -> CelCostEstimate.isMap(node) ? "map of " + type(node.getAdditionalProperties().getSchema())
          : "object";
      default -> node.getFormat() == null ? type : type + " (" + node.getFormat() + ")";
    };
  }

  private static String describe(JSONSchemaProps node, boolean required) {
    List<String> parts = new ArrayList<>();
    if (required) {
      parts.add("**Required.**");
    }
    if (node.getDescription() != null) {
      parts.add(node.getDescription().strip());
    }
    if (node.getEnum() != null && !node.getEnum().isEmpty()) {
      parts.add("One of " + node.getEnum().stream().map(v -> "`" + v.asText() + "`").collect(Collectors.joining(", "))
          + ".");
    }
    if (node.getMinimum() != null || node.getMaximum() != null) {
      parts.add("From " + number(node.getMinimum(), "-∞") + " to " + number(node.getMaximum(), "∞") + ".");
    }
    if (node.getPattern() != null) {
      parts.add("Pattern `" + node.getPattern() + "`.");
    }
    if (node.getXKubernetesValidations() != null) {
      node.getXKubernetesValidations().stream().map(ValidationRule::getMessage).filter(m -> m != null && !m.isBlank())
          .forEach(m -> parts.add("Rule: " + m.strip() + (m.strip().endsWith(".") ? "" : ".")));
    }
    return String.join(" ", parts);
  }

  private static String number(Double value, String unbounded) {
    if (value == null) {
      return unbounded;
    }
    return value == Math.rint(value) ? Long.toString(value.longValue()) : value.toString();
  }

  /** One table cell: no line breaks, no column separators, and "<name>" shown rather than taken for HTML. */
  private static String cell(String text) {
    String[] spans = text.replace("\n", " ").replace("|", "\\|").split("`", -1);
    for (int i = 0; i < spans.length; i += 2) {
      spans[i] = spans[i].replace("<", "&lt;").replace(">", "&gt;");
    }
    return String.join("`", spans);
  }
}
