package dev.etcdoperator.api.v1alpha1;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The size limits of a CRD's spec as a Markdown table for docs/api-reference.md: one row per field, except inside
 * the Kubernetes types spec.podTemplate embeds, where the same field name has the same limit wherever it appears and
 * one row per name says it.
 */
final class ApiLimitsTable {
  private static final Set<String> EMBEDDED = Set.of(".spec.podTemplate.affinity", ".spec.podTemplate.resources",
      ".spec.podTemplate.tolerations", ".spec.podTemplate.topologySpreadConstraints");

  private final Map<String, String> fields = new TreeMap<>();
  private final Map<String, String> embeddedFields = new TreeMap<>();

  private ApiLimitsTable() {}

  static String of(CustomResourceDefinition crd) {
    ApiLimitsTable table = new ApiLimitsTable();
    JSONSchemaProps spec = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties()
        .get("spec");
    table.walk(spec, ".spec", "spec", false);
    StringBuilder out = new StringBuilder("| field | at most |\n| --- | --- |\n");
    table.fields.forEach((field, limit) -> out.append("| `").append(field).append("` | ").append(limit)
        .append(" |\n"));
    if (!table.embeddedFields.isEmpty()) {
      out.append("\nInside `affinity`, `tolerations`, `topologySpreadConstraints` and `resources` of "
          + "`spec.podTemplate`, wherever the field appears:\n\n| field | at most |\n| --- | --- |\n");
      table.embeddedFields.forEach((field, limit) -> out.append("| `").append(field).append("` | ").append(limit)
          .append(" |\n"));
    }
    return out.toString();
  }

  private void walk(JSONSchemaProps node, String path, String name, boolean embedded) {
    String limit = limit(node);
    if (limit != null) {
      (embedded ? embeddedFields : fields).put(embedded ? name : path, limit);
    }
    boolean inside = embedded || EMBEDDED.contains(path);
    if (node.getProperties() != null) {
      node.getProperties().forEach((child, schema) -> walk(schema, path + "." + child, child, inside));
    }
    if (node.getItems() != null && node.getItems().getSchema() != null) {
      walk(node.getItems().getSchema(), path + "[]", name + "[]", inside);
    }
    if (CelCostEstimate.isMap(node)) {
      walk(node.getAdditionalProperties().getSchema(), path + "{}", name + "{}", inside);
    }
  }

  private static String limit(JSONSchemaProps node) {
    if (node.getMaxItems() != null) {
      return node.getMaxItems() + " items";
    }
    if (node.getMaxProperties() != null) {
      return node.getMaxProperties() + " entries";
    }
    if (node.getMaxLength() != null) {
      return node.getMaxLength() + " characters";
    }
    return null;
  }
}
