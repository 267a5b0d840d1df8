package dev.etcdoperator.api.v1alpha1;

import static dev.etcdoperator.api.v1alpha1.SchemaLimits.ANNOTATION_VALUE;
import static dev.etcdoperator.api.v1alpha1.SchemaLimits.FLAG_VALUE;
import static dev.etcdoperator.api.v1alpha1.SchemaLimits.KEYWORD;
import static dev.etcdoperator.api.v1alpha1.SchemaLimits.LABEL_VALUE;
import static dev.etcdoperator.api.v1alpha1.SchemaLimits.MAP_ENTRIES;
import static dev.etcdoperator.api.v1alpha1.SchemaLimits.QUALIFIED_NAME;
import static dev.etcdoperator.api.v1alpha1.SchemaLimits.RESOURCE_ENTRIES;
import static dev.etcdoperator.api.v1alpha1.SchemaLimits.SCHEDULING_LIST;
import static dev.etcdoperator.api.v1alpha1.SchemaLimits.SELECTOR_VALUES;
import static java.util.Map.entry;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of the CRD schemas the generator's annotations cannot express: bounds inside the Kubernetes types that
 * spec.podTemplate embeds (affinity, tolerations, topology spread constraints, resources), bounds on the values of
 * our own maps, and list-map semantics. Nothing is filled in by default: a field these tables miss stays unbounded
 * and CrdRuleBudgetTest names it.
 */
final class CrdSchemaBounds {
  private static final Set<String> EMBEDDED_KUBERNETES_TYPES = Set.of("spec.podTemplate.resources",
      "spec.podTemplate.affinity", "spec.podTemplate.tolerations", "spec.podTemplate.topologySpreadConstraints");

  /** Inside the embedded Kubernetes types, by property name (the same name means the same thing in all of them). */
  private static final Map<String, Integer> KUBERNETES_LISTS = Map.ofEntries(
      entry("claims", RESOURCE_ENTRIES), entry("nodeSelectorTerms", SCHEDULING_LIST),
      entry("preferredDuringSchedulingIgnoredDuringExecution", SCHEDULING_LIST),
      entry("requiredDuringSchedulingIgnoredDuringExecution", SCHEDULING_LIST),
      entry("matchExpressions", SCHEDULING_LIST), entry("matchFields", SCHEDULING_LIST),
      entry("matchLabelKeys", SCHEDULING_LIST), entry("mismatchLabelKeys", SCHEDULING_LIST),
      entry("values", SELECTOR_VALUES), entry("namespaces", SELECTOR_VALUES));
  private static final Map<String, Integer> KUBERNETES_MAPS = Map.of("matchLabels", MAP_ENTRIES,
      "limits", RESOURCE_ENTRIES, "requests", RESOURCE_ENTRIES);
  /** Strings by property name; the items of a list and the values of a map by the list's or map's name. */
  private static final Map<String, Integer> KUBERNETES_STRINGS = Map.ofEntries(
      entry("key", QUALIFIED_NAME), entry("topologyKey", QUALIFIED_NAME), entry("matchLabelKeys", QUALIFIED_NAME),
      entry("mismatchLabelKeys", QUALIFIED_NAME), entry("operator", KEYWORD), entry("effect", KEYWORD),
      entry("whenUnsatisfiable", KEYWORD), entry("nodeAffinityPolicy", KEYWORD), entry("nodeTaintsPolicy", KEYWORD),
      entry("value", LABEL_VALUE), entry("values", LABEL_VALUE), entry("matchLabels", LABEL_VALUE),
      entry("namespaces", LABEL_VALUE), entry("name", LABEL_VALUE), entry("request", LABEL_VALUE));

  private static final Map<String, Integer> OWN_MAP_VALUES = Map.of("spec.etcd.extraArgs", FLAG_VALUE,
      "spec.podTemplate.labels", LABEL_VALUE, "spec.podTemplate.annotations", ANNOTATION_VALUE,
      "spec.podTemplate.nodeSelector", LABEL_VALUE);
  /** Lists whose items are unique by a key; the API server checks that in linear time. */
  private static final Map<String, String> LIST_MAP_KEYS = Map.of("spec.tls.clientCertificates", "name");

  private CrdSchemaBounds() {}

  static void apply(CustomResourceDefinition crd) {
    crd.getSpec().getVersions().forEach(version -> {
      JSONSchemaProps spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
      walk(spec, "spec", "spec", false);
    });
  }

  private static void walk(JSONSchemaProps node, String path, String name, boolean embedded) {
    boolean kubernetesType = embedded || EMBEDDED_KUBERNETES_TYPES.contains(path);
    if (kubernetesType) {
      boundKubernetesField(node, name);
    }
    if (OWN_MAP_VALUES.containsKey(path)) {
      node.getAdditionalProperties().getSchema().setMaxLength(OWN_MAP_VALUES.get(path).longValue());
    }
    if (LIST_MAP_KEYS.containsKey(path)) {
      node.setXKubernetesListType("map");
      node.setXKubernetesListMapKeys(List.of(LIST_MAP_KEYS.get(path)));
    }
    if (node.getProperties() != null) {
      node.getProperties().forEach((child, schema) -> walk(schema, path + "." + child, child, kubernetesType));
    }
    if (node.getItems() != null && node.getItems().getSchema() != null) {
      walk(node.getItems().getSchema(), path + "[]", name, kubernetesType);
    }
    if (CelCostEstimate.isMap(node)) {
      walk(node.getAdditionalProperties().getSchema(), path + "{}", name, kubernetesType);
    }
  }

  private static void boundKubernetesField(JSONSchemaProps node, String name) {
    String type = String.valueOf(node.getType());
    if (type.equals("array") && node.getMaxItems() == null && KUBERNETES_LISTS.containsKey(name)) {
      node.setMaxItems(KUBERNETES_LISTS.get(name).longValue());
    } else if (type.equals("object") && CelCostEstimate.isMap(node) && node.getMaxProperties() == null
        && KUBERNETES_MAPS.containsKey(name)) {
      node.setMaxProperties(KUBERNETES_MAPS.get(name).longValue());
    } else if (type.equals("string") && node.getMaxLength() == null && KUBERNETES_STRINGS.containsKey(name)) {
      node.setMaxLength(KUBERNETES_STRINGS.get(name).longValue());
    }
  }
}
