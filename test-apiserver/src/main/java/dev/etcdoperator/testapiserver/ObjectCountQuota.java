package dev.etcdoperator.testapiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Object-count quotas, as the API server's ResourceQuota admission enforces them: a create in a namespace whose
 * ResourceQuota sets {@code spec.hard["count/<plural>.<group>"]} (core group: {@code count/<plural>}) is refused
 * with 403 once that many objects exist. Only counts; compute quotas (cpu, memory, storage) are not modelled.
 */
final class ObjectCountQuota {
  private static final Pattern COLLECTION = Pattern.compile(
      "^/(?:api|apis/(?<group>[^/]+))/[^/]+/namespaces/(?<namespace>[^/]+)/(?<plural>[^/?]+)/?$");

  private ObjectCountQuota() {}

  /**
   * @param path the create request's collection path, without query
   * @param name the name of the object to create
   * @param list answers a GET of a collection path, as the stand-in stores it
   * @return the API server's message when a quota refuses the create
   */
  static Optional<String> exceeded(String path, String name, Function<String, MockResponse> list) {
    Matcher collection = COLLECTION.matcher(path);
    if (!collection.matches()) {
      return Optional.empty();
    }
    String resource = collection.group("group") == null ? collection.group("plural")
        : collection.group("plural") + "." + collection.group("group");
    String key = "count/" + resource;
    for (JsonNode quota : items(list.apply("/api/v1/namespaces/" + collection.group("namespace")
        + "/resourcequotas"))) {
      JsonNode hard = quota.path("spec").path("hard").path(key);
      if (hard.isMissingNode()) {
        continue;
      }
      long limit = Long.parseLong(hard.asText());
      long used = items(list.apply(path)).size();
      if (used + 1 > limit) {
        return Optional.of(String.format("%s \"%s\" is forbidden: exceeded quota: %s, requested: %s=1, used: %s=%d,"
            + " limited: %s=%d", resource, name, quota.path("metadata").path("name").asText(), key, key, used, key,
            limit));
      }
    }
    return Optional.empty();
  }

  private static JsonNode items(MockResponse response) {
    if (response == null || response.code() != 200 || response.getBody() == null) {
      return Serialization.jsonMapper().createArrayNode();
    }
    try {
      return Serialization.jsonMapper().readTree(new String(response.getBody().getBytes(), StandardCharsets.UTF_8))
          .path("items");
    } catch (java.io.IOException e) {
      return Serialization.jsonMapper().createArrayNode();
    }
  }
}
