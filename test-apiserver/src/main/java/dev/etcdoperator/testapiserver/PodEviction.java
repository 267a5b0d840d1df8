package dev.etcdoperator.testapiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pods/eviction subresource, decided as the API server does it: a pod that one PodDisruptionBudget selects is
 * deleted only when the budget still allows a disruption, else the answer is 429. The budget is computed from the
 * pods at the moment of the request (the API server reads the disruption controller's status, plus the pods it
 * evicted since), which is as strict, without a controller to run. Rules kept: a pod that is not running yet, is
 * finished, or is already being deleted is evicted regardless; a pod that is not Ready may be evicted while the
 * Ready ones meet the budget (policy IfHealthyBudget, the default); more than one budget for a pod is an error; a
 * {@code deleteOptions.preconditions.uid} that names another incarnation is a 409. Only {@code minAvailable} and
 * {@code maxUnavailable} as integers, and selectors by {@code matchLabels}, are modelled (what the operator writes).
 */
final class PodEviction {
  static final String REFUSED = "Cannot evict pod as it would violate the pod's disruption budget.";
  private static final Pattern EVICTION = Pattern.compile(
      "^/api/v1/namespaces/(?<namespace>[^/]+)/pods/(?<name>[^/?]+)/eviction/?$");

  /** What the eviction comes to: refused with a response, or the pod to delete. */
  sealed interface Decision {
    record Refuse(MockResponse response) implements Decision {}

    record Delete(String podPath) implements Decision {}
  }

  private PodEviction() {}

  static boolean isEviction(String path) {
    return EVICTION.matcher(path).matches();
  }

  /**
   * @param path the eviction request's path, without query
   * @param body the Eviction the client posted
   * @param get answers a GET of an object or collection path, as the stand-in stores it
   */
  static Decision decide(String path, String body, Function<String, MockResponse> get) {
    Matcher eviction = EVICTION.matcher(path);
    if (!eviction.matches()) {
      throw new IllegalArgumentException("not an eviction: " + path);
    }
    String namespace = eviction.group("namespace");
    String podPath = "/api/v1/namespaces/" + namespace + "/pods/" + eviction.group("name");
    Optional<JsonNode> pod = read(get.apply(podPath));
    if (pod.isEmpty()) {
      return refuse(404, "NotFound", "pods \"" + eviction.group("name") + "\" not found");
    }
    String expectedUid = readBody(body).path("deleteOptions").path("preconditions").path("uid").asText("");
    String uid = pod.get().path("metadata").path("uid").asText("");
    if (!expectedUid.isEmpty() && !expectedUid.equals(uid)) {
      return refuse(409, "Conflict", "Precondition failed: UID in precondition: " + expectedUid
          + ", UID in object meta: " + uid);
    }
    if (ignoresBudgets(pod.get())) {
      return new Decision.Delete(podPath);
    }
    List<JsonNode> budgets = new ArrayList<>();
    for (JsonNode pdb : items(get.apply("/apis/policy/v1/namespaces/" + namespace + "/poddisruptionbudgets"))) {
      if (selects(pdb, pod.get())) {
        budgets.add(pdb);
      }
    }
    if (budgets.size() > 1) {
      return refuse(500, "InternalError", "This pod has more than one PodDisruptionBudget, which the eviction "
          + "subresource does not support.");
    }
    if (budgets.isEmpty()) {
      return new Decision.Delete(podPath);
    }
    JsonNode budget = budgets.get(0);
    List<JsonNode> selected = new ArrayList<>();
    for (JsonNode other : items(get.apply("/api/v1/namespaces/" + namespace + "/pods"))) {
      if (selects(budget, other)) {
        selected.add(other);
      }
    }
    long healthy = selected.stream().filter(PodEviction::isHealthy).count();
    long desiredHealthy = desiredHealthy(budget.path("spec"), selected.size());
    boolean allowed = isHealthy(pod.get()) ? healthy - 1 >= desiredHealthy : healthy >= desiredHealthy;
    return allowed ? new Decision.Delete(podPath) : refuse(429, "TooManyRequests", REFUSED
        + " The disruption budget " + budget.path("metadata").path("name").asText() + " needs " + desiredHealthy
        + " healthy pods and has " + healthy + ".");
  }

  private static long desiredHealthy(JsonNode spec, int expectedPods) {
    if (spec.has("minAvailable")) {
      return spec.path("minAvailable").asLong();
    }
    if (spec.has("maxUnavailable")) {
      return Math.max(0, expectedPods - spec.path("maxUnavailable").asLong());
    }
    return 0;
  }

  /** Pending, finished and terminating pods are not part of any budget's count: evicting them disrupts nothing. */
  private static boolean ignoresBudgets(JsonNode pod) {
    String phase = pod.path("status").path("phase").asText("Pending");
    return !pod.path("metadata").path("deletionTimestamp").isMissingNode()
        && !pod.path("metadata").path("deletionTimestamp").isNull()
        || phase.equals("Pending") || phase.equals("Succeeded") || phase.equals("Failed");
  }

  private static boolean isHealthy(JsonNode pod) {
    if (pod.path("metadata").hasNonNull("deletionTimestamp")) {
      return false;
    }
    for (JsonNode condition : pod.path("status").path("conditions")) {
      if ("Ready".equals(condition.path("type").asText())) {
        return "True".equals(condition.path("status").asText());
      }
    }
    return false;
  }

  private static boolean selects(JsonNode pdb, JsonNode pod) {
    JsonNode matchLabels = pdb.path("spec").path("selector").path("matchLabels");
    if (!matchLabels.isObject() || matchLabels.isEmpty()) {
      return false;
    }
    JsonNode labels = pod.path("metadata").path("labels");
    for (Map.Entry<String, JsonNode> label : matchLabels.properties()) {
      if (!label.getValue().asText().equals(labels.path(label.getKey()).asText(null))) {
        return false;
      }
    }
    return true;
  }

  private static Decision refuse(int code, String reason, String message) {
    var status = Serialization.jsonMapper().createObjectNode().put("apiVersion", "v1").put("kind", "Status")
        .put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
    return new Decision.Refuse(new MockResponse().setResponseCode(code).setBody(status.toString()));
  }

  private static JsonNode readBody(String body) {
    try {
      return Serialization.jsonMapper().readTree(body);
    } catch (IOException e) {
      return Serialization.jsonMapper().createObjectNode();
    }
  }

  private static Optional<JsonNode> read(MockResponse response) {
    if (response == null || response.code() != 200 || response.getBody() == null) {
      return Optional.empty();
    }
    return Optional.of(readBody(new String(response.getBody().getBytes(), StandardCharsets.UTF_8)));
  }

  private static Iterable<JsonNode> items(MockResponse response) {
    return read(response).map(list -> list.path("items")).orElse(Serialization.jsonMapper().createArrayNode());
  }
}
