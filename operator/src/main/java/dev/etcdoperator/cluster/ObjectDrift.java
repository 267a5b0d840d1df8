package dev.etcdoperator.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Iterator;
import java.util.Map;

/**
 * Decides whether an owned object must be (re)applied: it must when it is missing or when any field we set differs
 * from the live object. Fields the API server or other controllers add (defaults, status) are ignored, so an
 * object in shape is never rewritten and a hand edit of a field we own is put back.
 */
public final class ObjectDrift {
  private final KubernetesSerialization serialization;

  public ObjectDrift(KubernetesSerialization serialization) {
    this.serialization = serialization;
  }

  public boolean needsApply(HasMetadata desired, HasMetadata actual) {
    if (actual == null) {
      return true;
    }
    JsonNode want = serialization.convertValue(desired, JsonNode.class);
    JsonNode have = serialization.convertValue(actual, JsonNode.class);
    return !contains(have, want);
  }

  private static boolean contains(JsonNode have, JsonNode want) {
    if (want == null || want.isNull()) {
      return true;
    }
    if (want.isObject()) {
      if (want.isEmpty()) {
        return have == null || have.isNull() || have.isObject();
      }
      if (have == null || !have.isObject()) {
        return false;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = want.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (!contains(have.get(field.getKey()), field.getValue())) {
          return false;
        }
      }
      return true;
    }
    if (want.isArray()) {
      if (want.isEmpty()) {
        return have == null || have.isNull() || (have.isArray() && have.isEmpty());
      }
      if (have == null || !have.isArray() || have.size() != want.size()) {
        return false;
      }
      for (int i = 0; i < want.size(); i++) {
        if (!contains(have.get(i), want.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (have == null) {
      return false;
    }
    if (want.isNumber() && have.isNumber()) {
      return want.decimalValue().compareTo(have.decimalValue()) == 0;
    }
    if (want.asText().equals(have.asText())) {
      return want.isNumber() == have.isNumber();
    }
    // The API server stores quantities canonically (1024Mi becomes 1Gi, 0.5 becomes 500m).
    return want.isTextual() && have.isTextual() && sameQuantity(want.asText(), have.asText());
  }

  private static boolean sameQuantity(String a, String b) {
    try {
      return Quantity.parse(a).getNumericalAmount().compareTo(Quantity.parse(b).getNumericalAmount()) == 0;
    } catch (IllegalArgumentException | ArithmeticException e) {
      return false;
    }
  }
}
