package dev.etcdoperator.testapiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code metadata.managedFields} as a real API server records them: one entry per field manager, operation (Apply or
 * Update) and subresource, with the set of fields that write sent ({@code fieldsV1}). Clients cache objects with
 * these entries, so an operator's memory measured against this stand-in should include them.
 *
 * <p>Approximations: a manager owns every field its last write of that kind sent (a real server also drops fields
 * another manager took over, and for an Update counts only the fields that changed); list items are keyed by their
 * {@code name}, {@code type} or {@code containerPort} where they have one, by position otherwise; scalar lists are
 * owned whole. An entry's time moves only when its set of fields does, so a write that changes nothing else stays a
 * no-op.
 */
final class ManagedFields {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** Set by the server, never sent as owned fields. */
  private static final Set<String> SERVER_METADATA = Set.of("name", "namespace", "uid", "resourceVersion",
      "creationTimestamp", "generation", "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds",
      "selfLink");
  private static final List<String> LIST_KEYS = List.of("name", "type", "containerPort");

  private ManagedFields() {}

  /**
   * The object's managedFields after a write: {@code current} (may be null or missing) with the entry of this manager,
   * operation and subresource replaced by one for the fields of {@code written}.
   */
  static ArrayNode after(JsonNode current, String manager, String operation, String subresource, JsonNode written,
      Instant now) {
    ObjectNode fields = fieldsOf(written);
    ArrayNode result = NODES.arrayNode();
    boolean recorded = false;
    if (current != null && current.isArray()) {
      for (JsonNode entry : current) {
        if (sameEntry(entry, manager, operation, subresource)) {
          // in its place, so that a write of the same fields leaves the list as it was
          result.add(entry.path("fieldsV1").equals(fields) ? entry
              : entry(manager, operation, subresource, written, fields, now));
          recorded = true;
        } else {
          result.add(entry);
        }
      }
    }
    if (!recorded) {
      result.add(entry(manager, operation, subresource, written, fields, now));
    }
    return result;
  }

  private static ObjectNode entry(String manager, String operation, String subresource, JsonNode written,
      ObjectNode fields, Instant now) {
    ObjectNode entry = NODES.objectNode();
    entry.put("manager", manager);
    entry.put("operation", operation);
    entry.put("apiVersion", written.path("apiVersion").asText("v1"));
    entry.put("time", now.truncatedTo(ChronoUnit.SECONDS).toString());
    entry.put("fieldsType", "FieldsV1");
    entry.set("fieldsV1", fields);
    if (!subresource.isEmpty()) {
      entry.put("subresource", subresource);
    }
    return entry;
  }

  private static boolean sameEntry(JsonNode entry, String manager, String operation, String subresource) {
    return manager.equals(entry.path("manager").asText()) && operation.equals(entry.path("operation").asText())
        && subresource.equals(entry.path("subresource").asText(""));
  }

  /** The fieldsV1 set of an object as written: {@code f:<key>} for every field but the server's own. */
  private static ObjectNode fieldsOf(JsonNode written) {
    ObjectNode fields = NODES.objectNode();
    for (Map.Entry<String, JsonNode> field : written.properties()) {
      String key = field.getKey();
      if (key.equals("apiVersion") || key.equals("kind")) {
        continue;
      }
      if (key.equals("metadata") && field.getValue().isObject()) {
        ObjectNode metadata = NODES.objectNode();
        field.getValue().properties().stream().filter(m -> !SERVER_METADATA.contains(m.getKey()))
            .forEach(m -> metadata.set("f:" + m.getKey(), fieldSet(m.getValue())));
        if (!metadata.isEmpty()) {
          fields.set("f:metadata", metadata);
        }
        continue;
      }
      fields.set("f:" + key, fieldSet(field.getValue()));
    }
    return fields;
  }

  private static ObjectNode fieldSet(JsonNode value) {
    ObjectNode set = NODES.objectNode();
    if (value.isObject()) {
      set.putObject(".");
      value.properties().forEach(f -> set.set("f:" + f.getKey(), fieldSet(f.getValue())));
    } else if (value.isArray() && !value.isEmpty() && value.get(0).isObject()) {
      for (int i = 0; i < value.size(); i++) {
        set.set(itemKey(value.get(i), i), fieldSet(value.get(i)));
      }
    }
    return set; // a scalar, or a list owned whole
  }

  private static String itemKey(JsonNode item, int index) {
    for (String key : LIST_KEYS) {
      JsonNode value = item.get(key);
      if (value != null && value.isValueNode()) {
        return "k:{\"" + key + "\":" + value + "}";
      }
    }
    return "i:" + index;
  }
}
