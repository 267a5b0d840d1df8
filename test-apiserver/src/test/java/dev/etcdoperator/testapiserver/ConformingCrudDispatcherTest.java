package dev.etcdoperator.testapiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConformingCrudDispatcherTest {

  /** The examples of RFC 7386, appendix A (single quotes stand for double quotes). */
  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "{'a':'b'}                      | {'a':'c'}             | {'a':'c'}",
      "{'a':'b'}                      | {'b':'c'}             | {'a':'b','b':'c'}",
      "{'a':'b'}                      | {'a':null}            | {}",
      "{'a':'b','b':'c'}              | {'a':null}            | {'b':'c'}",
      "{'a':['b']}                    | {'a':'c'}             | {'a':'c'}",
      "{'a':'c'}                      | {'a':['b']}           | {'a':['b']}",
      "{'a':{'b':'c'}}                | {'a':{'b':'d','c':null}} | {'a':{'b':'d'}}",
      "{'a':[{'b':'c'}]}              | {'a':[1]}             | {'a':[1]}",
      "['a','b']                      | ['c','d']             | ['c','d']",
      "{'a':'b'}                      | ['c']                 | ['c']",
      "{'a':'foo'}                    | null                  | null",
      "{'a':'foo'}                    | 'bar'                 | 'bar'",
      "{'e':null}                     | {'a':1}               | {'e':null,'a':1}",
      "[1,2]                          | {'a':'b','c':null}    | {'a':'b'}",
      "{}                             | {'a':{'bb':{'ccc':null}}} | {'a':{'bb':{}}}",
      // what the stock merge got wrong: arrays appended instead of replaced
      "{'status':{'m':['a','b']}}     | {'status':{'m':['a','b','c']}} | {'status':{'m':['a','b','c']}}",
  })
  void mergePatchFollowsRfc7386(String target, String patch, String expected) {
    JsonNode targetNode = json(target);
    JsonNode before = targetNode.deepCopy();

    assertThat(ConformingCrudDispatcher.mergePatch(targetNode, json(patch))).isEqualTo(json(expected));
    assertThat(targetNode).as("target left alone").isEqualTo(before);
  }

  @Test
  void builtInKindsWithAStatusSubresourceAreKnown() {
    ConformingCrudDispatcher dispatcher = new ConformingCrudDispatcher();

    assertThat(dispatcher.isStatusSubresourceEnabledForResource("/apis/apps/v1/namespaces/ns/statefulsets/s")).isTrue();
    assertThat(dispatcher.isStatusSubresourceEnabledForResource("/api/v1/namespaces/ns/pods/p")).isTrue();
    assertThat(dispatcher.isStatusSubresourceEnabledForResource("/api/v1/namespaces/ns")).isTrue();
    assertThat(dispatcher.isStatusSubresourceEnabledForResource("/apis/policy/v1/namespaces/ns/poddisruptionbudgets"))
        .isTrue();
    assertThat(dispatcher.isStatusSubresourceEnabledForResource("/api/v1/namespaces/ns/configmaps/c")).isFalse();
    assertThat(dispatcher.isStatusSubresourceEnabledForResource("/api/v1/namespaces/ns/secrets")).isFalse();
    assertThat(dispatcher.isStatusSubresourceEnabledForResource("/apis/example.dev/v1/namespaces/ns/pods/p")).isFalse();
  }

  @Test
  void requestsAreCountedByUserAgentMethodAndResourceAndTheCountItselfIsNot() {
    ConformingCrudDispatcher dispatcher = new ConformingCrudDispatcher();
    dispatcher.dispatch(get("/api/v1/namespaces/ns/pods", "etcd-operator/0.1.0"));
    dispatcher.dispatch(get("/api/v1/namespaces/ns/pods/p", "etcd-operator/0.1.0"));
    dispatcher.dispatch(get("/apis/apps/v1/namespaces/ns/statefulsets?watch=true", "etcd-operator/0.1.0"));
    dispatcher.dispatch(get("/api/v1/namespaces/ns/configmaps", "kubelet-stand-in"));

    MockResponse counts = dispatcher.dispatch(get(ConformingCrudDispatcher.REQUEST_COUNTS, "benchmark"));
    assertThat(json(counts.getBody().readUtf8().replace('"', '\''))).isEqualTo(
        json("{'etcd-operator/0.1.0 GET pods':2,'etcd-operator/0.1.0 GET apps/statefulsets (watch)':1,"
            + "'kubelet-stand-in GET configmaps':1}"));
  }

  private static RecordedRequest get(String path, String userAgent) {
    return new RecordedRequest("HTTP/1.1", HttpMethod.GET, path, Headers.builder().add("User-Agent", userAgent)
        .build(), new Buffer());
  }

  private static JsonNode json(String singleQuoted) {
    try {
      return Serialization.jsonMapper().readTree(singleQuoted.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(singleQuoted, e);
    }
  }
}
