package dev.etcdoperator.testapiserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.server.mock.crud.KubernetesCrudDispatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.CompatibilityFlags;
import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.zjsonpatch.JsonPatchException;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.net.HttpURLConnection.HTTP_ACCEPTED;
import static java.net.HttpURLConnection.HTTP_CONFLICT;
import static java.net.HttpURLConnection.HTTP_FORBIDDEN;
import static java.net.HttpURLConnection.HTTP_NOT_FOUND;
import static java.net.HttpURLConnection.HTTP_OK;

/**
 * Fabric8's CRUD dispatcher (7.5.2) with the fixes an operator needs to be tested honestly against it. Storage,
 * watches, uid/creationTimestamp, generation, finalizers and the split between /status and the main resource are
 * stock; each override below says which quirk of the stock dispatcher it fixes.
 *
 * <p>Pod port-forward requests are answered as a kubelet would ({@link PodPortForwarder}): forwarded to the pod's
 * {@code status.podIP}, which tests set to a loopback address of their own.
 *
 * <p>Known approximations that remain: server-side apply is a JSON merge patch of the applied configuration (no
 * field ownership: a field dropped from the applied configuration is not removed, except in an apply to /status,
 * which replaces the status, lists are replaced rather than
 * merged by key, no conflicts between managers); strategic merge patch likewise replaces lists. Writes record
 * {@code metadata.managedFields} as a real server does, approximately ({@link ManagedFields}): what clients cache
 * should weigh what it weighs against a real server.
 */
public class ConformingCrudDispatcher extends NameIndexedCrudDispatcher {

  static final String APPLY_PATCH = "application/apply-patch+yaml";
  static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
  static final String MERGE_PATCH = "application/merge-patch+json";
  static final String JSON_PATCH = "application/json-patch+json";
  private static final String CONTENT_TYPE = "Content-Type";

  /**
   * Built-in resources (group/plural; core group empty) served with a /status subresource by a real API server. The
   * stock dispatcher only knows this for CRDs, so a PUT or patch of, say, a StatefulSet would overwrite its status.
   */
  private static final Set<String> BUILT_IN_STATUS_SUBRESOURCES = Set.of(
      "/pods", "/services", "/namespaces", "/nodes", "/persistentvolumes", "/persistentvolumeclaims",
      "/replicationcontrollers", "/resourcequotas",
      "apps/deployments", "apps/statefulsets", "apps/daemonsets", "apps/replicasets",
      "batch/jobs", "batch/cronjobs", "policy/poddisruptionbudgets", "autoscaling/horizontalpodautoscalers",
      "networking.k8s.io/ingresses", "apiextensions.k8s.io/customresourcedefinitions",
      "certificates.k8s.io/certificatesigningrequests", "apiregistration.k8s.io/apiservices");
  private static final Pattern RESOURCE_PATH =
      Pattern.compile("^/(?:api|apis/(?<group>[^/]+))/[^/]+(?:/namespaces/[^/]+)?/(?<plural>[^/?]+)");

  /**
   * Requests received, by User-Agent, method and resource ({@code "<agent> GET apps/statefulsets"}): how much load each
   * client puts on the API server and with what (benchmarks read it with {@code GET /stand-in/requests}, a JSON
   * object of counts).
   */
  public static final String REQUEST_COUNTS = "/stand-in/requests";
  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();

  private String requestCounts() {
    Map<String, Long> counts = new TreeMap<>();
    requests.forEach((agent, count) -> counts.put(agent, count.sum()));
    return Serialization.asJson(counts);
  }

  private static String resourceOf(String path) {
    Matcher resource = RESOURCE_PATH.matcher(path);
    if (!resource.find()) {
      return path;
    }
    String group = resource.group("group");
    return (group == null ? "" : group + "/") + resource.group("plural")
        + (path.contains("watch=true") ? " (watch)" : "");
  }

  /** Serializes writes, so that what a write checks here before delegating holds when the stock handler runs. */
  private final Object writes = new Object();

  /**
   * The stand-in authorizes everything, as an API server without RBAC does. Clients that ask (JOSDK checks its
   * Lease permissions before leader election) get that answer instead of their own request echoed back.
   */
  private static final String SELF_SUBJECT_RULES_REVIEW = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";
  private static final String ALLOW_ALL_RULES = "{\"apiVersion\":\"authorization.k8s.io/v1\","
      + "\"kind\":\"SelfSubjectRulesReview\",\"status\":{\"incomplete\":false,\"resourceRules\":[{\"verbs\":[\"*\"],"
      + "\"apiGroups\":[\"*\"],\"resources\":[\"*\"]}],\"nonResourceRules\":[]}}";

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    if (request.method() == HttpMethod.GET && REQUEST_COUNTS.equals(request.getPath())) {
      return new MockResponse().setResponseCode(200).setBody(requestCounts());
    }
    String agent = Optional.ofNullable(request.getHeader("User-Agent")).orElse("");
    requests.computeIfAbsent(agent + " " + request.method() + " " + resourceOf(request.getPath()),
        a -> new LongAdder()).increment();
    if (request.method() == HttpMethod.POST && request.getPath().startsWith(SELF_SUBJECT_RULES_REVIEW)) {
      return new MockResponse().setResponseCode(201).setBody(ALLOW_ALL_RULES);
    }
    if (request.method() == HttpMethod.GET) {
      MockResponse portForward = PodPortForwarder.dispatch(request.getPath(), this::stored);
      if (portForward != null) {
        return portForward;
      }
      return super.dispatch(request); // query strings of reads carry watch=true and the label/field selectors
    }
    synchronized (writes) {
      write = WriteOrigin.of(request, agent);
      try {
        return conformConflict(super.dispatch(withoutWriteQuery(request)));
      } finally {
        write = null;
      }
    }
  }

  /**
   * Who makes the write under way and how, for its managedFields entry ({@link ManagedFields}); set while the
   * {@link #writes} lock is held.
   */
  private WriteOrigin write;

  private record WriteOrigin(String manager, String operation, String subresource) {
    private static final Pattern FIELD_MANAGER = Pattern.compile("[?&]fieldManager=([^&]+)");

    static WriteOrigin of(RecordedRequest request, String agent) {
      Matcher named = FIELD_MANAGER.matcher(request.getPath());
      // Without fieldManager a real API server names the manager after the User-Agent's first part.
      String manager = named.find() ? URLDecoder.decode(named.group(1), StandardCharsets.UTF_8)
          : agent.split("/", 2)[0];
      boolean apply = request.method() == HttpMethod.PATCH
          && APPLY_PATCH.equals(mediaType(request.getHeader(CONTENT_TYPE)));
      String path = request.getPath().split("\\?", 2)[0];
      return new WriteOrigin(manager.isEmpty() ? "unknown" : manager, apply ? "Apply" : "Update",
          isStatusPath(path) ? "status" : "");
    }

    /** {@code object}'s managedFields once this write of it is stored, from {@code current}'s (null: a create). */
    ArrayNode managedFields(JsonNode current, JsonNode object) {
      return ManagedFields.after(current, manager, operation, subresource, written(object), Instant.now());
    }

    /** The fields this write sets: the status for a write to /status, everything else otherwise. */
    private JsonNode written(JsonNode object) {
      ObjectNode fields = object.deepCopy();
      if (subresource.equals("status")) {
        fields.retain("status");
      } else {
        fields.remove("status");
      }
      return fields;
    }
  }

  /** Every update and patch: records the write's managedFields entry (creates get theirs in handleCreate). */
  @Override
  public void preserveMetadata(JsonNode currentResource, JsonNode updatedResource) {
    super.preserveMetadata(currentResource, updatedResource);
    if (write != null && updatedResource.path("metadata").isObject()) {
      ((ObjectNode) updatedResource.get("metadata")).set("managedFields",
          write.managedFields(currentResource.path("metadata").get("managedFields"), updatedResource));
    }
  }

  /**
   * The stock handlers decide "is this a /status write?" with path.endsWith("/status"), so a query string
   * (?fieldManager=x&amp;force=true, as sent with every server-side apply) turned a status write into a write of the
   * main resource. Writes other than DELETE (whose query may carry a label selector) lose their query string.
   */
  private static RecordedRequest withoutWriteQuery(RecordedRequest request) {
    String path = request.getPath();
    int query = path.indexOf('?');
    if (request.method() == HttpMethod.DELETE || query < 0) {
      return request;
    }
    return copy(request, request.method(), path.substring(0, query), null, request.getBody().getBytes());
  }

  /**
   * Creates pass the namespace's object-count quotas first ({@link ObjectCountQuota}). A pod eviction is decided by
   * the disruption budgets ({@link PodEviction}); the stock handler stored it as an object of its own.
   */
  @Override
  public MockResponse handleCreate(RecordedRequest request) {
    if (PodEviction.isEviction(request.getPath())) {
      return switch (PodEviction.decide(request.getPath(), body(request), this::handleGet)) {
        case PodEviction.Decision.Refuse refused -> refused.response();
        case PodEviction.Decision.Delete delete -> evicted(handleDelete(delete.podPath()));
      };
    }
    String name = "";
    try {
      name = asNode(body(request)).path("metadata").path("name").asText("");
    } catch (KubernetesCrudDispatcherException e) {
      // the stock handler answers a body it cannot read
    }
    Optional<String> refused = ObjectCountQuota.exceeded(request.getPath(), name, this::handleGet);
    if (refused.isPresent()) {
      return failure(new KubernetesCrudDispatcherException(refused.get(), HTTP_FORBIDDEN));
    }
    return super.handleCreate(withManagedFields(request));
  }

  /** A create records its writer's managedFields entry, as a real API server does. */
  private RecordedRequest withManagedFields(RecordedRequest request) {
    try {
      JsonNode object = asNode(body(request));
      if (write == null || !object.path("metadata").isObject()) {
        return request;
      }
      ((ObjectNode) object.get("metadata")).set("managedFields", write.managedFields(null, object));
      return copy(request, request.method(), request.getPath(), null,
          object.toString().getBytes(StandardCharsets.UTF_8));
    } catch (KubernetesCrudDispatcherException unreadable) {
      return request; // the stock handler answers it
    }
  }

  /** A real API server answers a granted eviction with 201 and a Success status. */
  private static MockResponse evicted(MockResponse deleted) {
    if (deleted.code() != HTTP_OK) {
      return deleted;
    }
    return new MockResponse().setResponseCode(201).setBody(
        "{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"status\":\"Success\",\"code\":201}");
  }

  /** PUT to /status: the stock handler checks resourceVersion only on writes to the main resource. */
  @Override
  public MockResponse handleUpdate(RecordedRequest request) {
    if (isStatusPath(request.getPath())) {
      try {
        Map.Entry<?, String> current = findResource(getKey(request.getPath()));
        if (current != null) {
          checkResourceVersion(asNode(current.getValue()), asNode(body(request)));
        }
      } catch (KubernetesCrudDispatcherException e) {
        return failure(e);
      }
    }
    return super.handleUpdate(request);
  }

  /**
   * PATCH. The stock handler answers 415 to server-side apply and strategic merge patch: both are handled as JSON
   * merge patches (an apply body may be YAML), and an apply to a missing object creates it, as a real API server
   * does (except on a subresource: a real server answers 404 there too). A JSON Patch that cannot be applied made the
   * stock handler throw, so the client got no response at all: it now gets 422, like from a real API server, also
   * for the patches the stock handler wrongly accepted (a missing parent path, removing a missing key).
   */
  @Override
  public MockResponse handlePatch(RecordedRequest request) {
    String contentType = mediaType(request.getHeader(CONTENT_TYPE));
    boolean apply = APPLY_PATCH.equals(contentType);
    MockResponse response;
    try {
      if (apply || STRATEGIC_MERGE_PATCH.equals(contentType)) {
        byte[] json = toJson(request.getBody().getBytes(), apply);
        if (apply && isStatusPath(request.getPath())) {
          json = statusReplacingPatch(request.getPath(), json);
        }
        request = copy(request, HttpMethod.PATCH, request.getPath(), MERGE_PATCH, json);
        if (apply && findResource(getKey(request.getPath())) == null) {
          if (isStatusPath(request.getPath())) {
            return new MockResponse().setResponseCode(HTTP_NOT_FOUND);
          }
          String path = request.getPath();
          return handleCreate(copy(request, HttpMethod.POST, path.substring(0, path.lastIndexOf('/')),
              "application/json", json));
        }
      }
      if (contentType == null || JSON_PATCH.equals(contentType)) {
        // The stock handler first creates every missing parent object of the patched paths, and lets "remove" of a
        // missing key pass; a real API server rejects such patches. Try it strictly on the current object first.
        Map.Entry<?, String> current = findResource(getKey(request.getPath()));
        if (current != null) {
          JsonPatch.apply(asNode(body(request)), asNode(current.getValue()),
              EnumSet.of(CompatibilityFlags.FORBID_REMOVE_MISSING_OBJECT));
        }
      }
      response = super.handlePatch(request);
    } catch (KubernetesCrudDispatcherException e) {
      return failure(e);
    } catch (JsonPatchException e) {
      return failure(new KubernetesCrudDispatcherException(
          "the server rejected our request due to an error in our request: " + e.getMessage(), 422));
    }
    // A real API server answers a successful PATCH with 200 (the stock handler says 202 Accepted).
    return response.code() == HTTP_ACCEPTED ? response.setResponseCode(HTTP_OK) : response;
  }

  /**
   * The stock merge (Jackson's readerForUpdating) appends arrays and stores nulls; JSON merge patch (RFC 7386)
   * replaces arrays and deletes keys set to null. Used by the stock PATCH handler for every merge-type patch.
   */
  @Override
  public JsonNode merge(JsonNode baseResource, String patch) throws KubernetesCrudDispatcherException {
    return mergePatch(baseResource, asNode(patch));
  }

  /**
   * Server-side apply to /status: the applied status replaces the stored one. A real API server removes the fields
   * a manager owned and no longer applies; our status has one writer (the operator, under one field manager), so
   * "replace" is what that amounts to, where a plain merge patch would keep every field once set.
   */
  private byte[] statusReplacingPatch(String path, byte[] applied) throws KubernetesCrudDispatcherException {
    Optional<JsonNode> current = stored(path);
    JsonNode patch = asNode(new String(applied, java.nio.charset.StandardCharsets.UTF_8));
    if (current.isEmpty() || !patch.isObject() || !patch.has("status")) {
      return applied;
    }
    ((ObjectNode) patch).set("status", nullingMissing(current.get().get("status"), patch.get("status")));
    return patch.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** {@code applied}, plus an explicit null for every key of {@code current} it lacks, at every object level. */
  static JsonNode nullingMissing(JsonNode current, JsonNode applied) {
    if (current == null || !current.isObject() || !applied.isObject()) {
      return applied;
    }
    ObjectNode result = ((ObjectNode) applied).deepCopy();
    for (Map.Entry<String, JsonNode> field : current.properties()) {
      if (!applied.has(field.getKey())) {
        result.putNull(field.getKey());
      } else {
        result.set(field.getKey(), nullingMissing(field.getValue(), applied.get(field.getKey())));
      }
    }
    return result;
  }

  /** RFC 7386 JSON merge patch; returns a new node and leaves both arguments alone. */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode result = target != null && target.isObject()
        ? ((ObjectNode) target).deepCopy()
        : Serialization.jsonMapper().createObjectNode();
    for (Map.Entry<String, JsonNode> field : patch.properties()) {
      if (field.getValue().isNull()) {
        result.remove(field.getKey());
      } else {
        result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue()));
      }
    }
    return result;
  }

  /** The stored object at an object path (no query string), e.g. {@code /api/v1/namespaces/ns/pods/p}. */
  private Optional<JsonNode> stored(String path) {
    try {
      Map.Entry<?, String> entry = findResource(getKey(path));
      return entry == null ? Optional.empty() : Optional.of(asNode(entry.getValue()));
    } catch (KubernetesCrudDispatcherException e) {
      return Optional.empty();
    }
  }

  /** Adds the built-in kinds served with a /status subresource to the CRDs the stock dispatcher knows of. */
  @Override
  public boolean isStatusSubresourceEnabledForResource(String path) {
    if (super.isStatusSubresourceEnabledForResource(path)) {
      return true;
    }
    Matcher matcher = RESOURCE_PATH.matcher(path);
    if (!matcher.find()) {
      return false;
    }
    String group = matcher.group("group") == null ? "" : matcher.group("group");
    return BUILT_IN_STATUS_SUBRESOURCES.contains(group + "/" + matcher.group("plural"));
  }

  /**
   * The stock dispatcher answers every 409 with reason Invalid; a real API server says AlreadyExists for a duplicate
   * create and Conflict for a stale resourceVersion (clients such as JOSDK look at the code, people at the reason).
   */
  private static MockResponse conformConflict(MockResponse response) {
    if (response == null || response.code() != HTTP_CONFLICT || response.getBody() == null) {
      return response;
    }
    try {
      Status status = Serialization.unmarshal(new String(response.getBody().getBytes(), StandardCharsets.UTF_8),
          Status.class);
      boolean exists = status.getMessage() != null && status.getMessage().contains("already exists");
      status.setReason(exists ? "AlreadyExists" : "Conflict");
      return response.setBody(Serialization.asJson(status));
    } catch (RuntimeException notAStatus) {
      return response;
    }
  }

  private void checkResourceVersion(JsonNode current, JsonNode update) throws KubernetesCrudDispatcherException {
    String expected = update.path("metadata").path("resourceVersion").asText("");
    String actual = current.path("metadata").path("resourceVersion").asText("");
    if (!expected.isEmpty() && !expected.equals(actual)) {
      throw new KubernetesCrudDispatcherException(String.format(
          "Operation cannot be fulfilled on %s \"%s\": the object has been modified; please apply your changes to the"
              + " latest version and try again", current.path("kind").asText(),
          current.path("metadata").path("name").asText()), HTTP_CONFLICT, current.path("kind").asText());
    }
  }

  /** Apply bodies are YAML (JSON is valid YAML, and Fabric8 sends JSON); strategic merge patches are JSON. */
  private static byte[] toJson(byte[] body, boolean mayBeYaml) throws KubernetesCrudDispatcherException {
    try {
      JsonNode node;
      try {
        node = Serialization.jsonMapper().readTree(body);
      } catch (JsonProcessingException notJson) {
        if (!mayBeYaml) {
          throw notJson;
        }
        node = Serialization.yamlMapper().readTree(body);
      }
      return Serialization.jsonMapper().writeValueAsBytes(node);
    } catch (java.io.IOException e) {
      throw new KubernetesCrudDispatcherException("invalid patch body: " + e.getMessage(), 400);
    }
  }

  private static MockResponse failure(KubernetesCrudDispatcherException e) {
    return new MockResponse().setResponseCode(e.getCode()).setBody(e.toStatusBody());
  }

  /** The request body, without consuming it (Buffer.readUtf8() empties the buffer). */
  private static String body(RecordedRequest request) {
    return new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
  }

  private static boolean isStatusPath(String path) {
    return path.endsWith("/status");
  }

  private static String mediaType(String contentType) {
    return contentType == null ? null : contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
  }

  private static RecordedRequest copy(RecordedRequest request, HttpMethod method, String path, String contentType,
      byte[] body) {
    var headers = request.getHeaders().newBuilder();
    if (contentType != null) {
      headers.set(CONTENT_TYPE, contentType);
    }
    headers.removeAll("Content-Length");
    return new RecordedRequest(request.getHttpVersion(), method, path, headers.build(), new Buffer(body));
  }
}
