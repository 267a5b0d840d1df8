package dev.etcdoperator.testapiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** What a client reads back in metadata.managedFields after the kinds of write the operator and stand-ins make. */
class ManagedFieldsTest {
  private KubernetesMockServer server;
  private KubernetesClient operator;
  private KubernetesClient kubelet;

  @BeforeEach
  void start() throws Exception {
    server = TestApiServerMain.start(0);
    operator = client("etcd-operator/0.1.0");
    kubelet = client("kubelet/v1.31.0 (linux/amd64)");
  }

  @AfterEach
  void stop() {
    operator.close();
    kubelet.close();
    server.destroy();
  }

  @Test
  void anApplyRecordsItsFieldManagerAndTheFieldsItSent() {
    apply(configMap(Map.of("a", "1")));

    List<ManagedFieldsEntry> entries = read().getMetadata().getManagedFields();
    assertThat(entries).singleElement().satisfies(e -> {
      assertThat(e.getManager()).isEqualTo("etcd-operator");
      assertThat(e.getOperation()).isEqualTo("Apply");
      assertThat(e.getFieldsType()).isEqualTo("FieldsV1");
      assertThat(e.getSubresource()).isNull();
      assertThat(e.getFieldsV1().getAdditionalProperties()).containsOnlyKeys("f:metadata", "f:data");
      assertThat(e.getFieldsV1().getAdditionalProperties().get("f:data")).isEqualTo(Map.of(".", Map.of(),
          "f:a", Map.of()));
      assertThat(e.getFieldsV1().getAdditionalProperties().get("f:metadata"))
          .isEqualTo(Map.of("f:labels", Map.of(".", Map.of(), "f:app", Map.of())));
    });
  }

  @Test
  void anotherWritersUpdateAddsItsOwnEntryAndKeepsTheApplys() {
    apply(configMap(Map.of("a", "1")));
    ConfigMap edited = read();
    edited.getData().put("b", "2");
    kubelet.configMaps().inNamespace("ns").resource(edited).update();

    assertThat(read().getMetadata().getManagedFields())
        .extracting(ManagedFieldsEntry::getManager, ManagedFieldsEntry::getOperation)
        .containsExactly(tuple("etcd-operator", "Apply"),
            tuple("kubelet", "Update"));
  }

  @Test
  void anEntrysTimeMovesOnlyWhenItsSetOfFieldsDoes() {
    Instant first = Instant.parse("2026-12-05T08:00:00Z");
    ArrayNode created = ManagedFields.after(ManagedFields.after(null, "etcd-operator", "Apply", "",
        configMapJson("{'a':'1'}"), first), "kubectl", "Update", "", configMapJson("{'c':'1'}"), first);
    Instant later = first.plusSeconds(60);

    ArrayNode sameFields = ManagedFields.after(created, "etcd-operator", "Apply", "", configMapJson("{'a':'2'}"),
        later);
    ArrayNode moreFields = ManagedFields.after(created, "etcd-operator", "Apply", "",
        configMapJson("{'a':'2','b':'3'}"), later);

    assertThat(sameFields).as("a new value in the same fields: the list as it was").isEqualTo(created);
    assertThat(moreFields.get(0).path("manager").asText()).as("in its place").isEqualTo("etcd-operator");
    assertThat(moreFields.get(0).path("time").asText()).isEqualTo("2026-12-05T08:01:00Z");
    assertThat(moreFields.get(1)).as("the other manager's entry").isEqualTo(created.get(1));
  }

  @Test
  void aStatusWriteOwnsTheStatusUnderTheStatusSubresource() {
    Pod pod = operator.pods().inNamespace("ns").resource(new PodBuilder().withNewMetadata().withName("p")
        .endMetadata().withNewSpec().addNewContainer().withName("etcd").withImage("etcd").endContainer().endSpec()
        .build()).create();
    pod.setStatus(new PodStatusBuilder().withPhase("Running").addNewCondition().withType("Ready").withStatus("True")
        .endCondition().build());
    kubelet.pods().inNamespace("ns").resource(pod).updateStatus();

    List<ManagedFieldsEntry> entries = kubelet.pods().inNamespace("ns").withName("p").get().getMetadata()
        .getManagedFields();
    assertThat(entries).extracting(ManagedFieldsEntry::getManager).containsExactly("etcd-operator", "kubelet");
    assertThat(entries.get(0).getFieldsV1().getAdditionalProperties()).containsKey("f:spec")
        .doesNotContainKey("f:status");
    assertThat(entries.get(1).getSubresource()).isEqualTo("status");
    assertThat(entries.get(1).getFieldsV1().getAdditionalProperties()).containsOnlyKeys("f:status");
    assertThat(entries.get(1).getFieldsV1().getAdditionalProperties().get("f:status").toString())
        .contains("k:{\"type\":\"Ready\"}");
  }

  private static JsonNode configMapJson(String singleQuotedData) {
    return Serialization.unmarshal(("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c','namespace':'ns'},"
        + "'data':" + singleQuotedData + "}").replace('\'', '"'), JsonNode.class);
  }

  private void apply(ConfigMap configMap) {
    operator.configMaps().inNamespace("ns").resource(configMap).fieldManager("etcd-operator").forceConflicts()
        .serverSideApply();
  }

  private ConfigMap read() {
    return operator.configMaps().inNamespace("ns").withName("c").get();
  }

  private static ConfigMap configMap(Map<String, String> data) {
    return new ConfigMapBuilder().withNewMetadata().withName("c").withNamespace("ns").addToLabels("app", "etcd")
        .endMetadata().withData(data).build();
  }

  private KubernetesClient client(String userAgent) {
    return new KubernetesClientBuilder().withConfig(new ConfigBuilder()
        .withMasterUrl(server.url("/")).withTrustCerts(true).withNamespace("ns").withUserAgent(userAgent).build())
        .build();
  }
}
