package dev.etcdoperator.testapiserver;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Objects read and written by name: what a client gets back as objects come, change and go. */
class NameIndexedCrudDispatcherTest {
  private KubernetesMockServer server;
  private KubernetesClient client;

  @BeforeEach
  void start() throws Exception {
    server = TestApiServerMain.start(0);
    client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(server.url("/"))
        .withTrustCerts(true).withNamespace("ns").build()).build();
  }

  @AfterEach
  void stop() {
    client.close();
    server.destroy();
  }

  @Test
  void objectsOfOneNameInOtherNamespacesOrKindsAreTheirOwn() {
    client.configMaps().inNamespace("a").resource(configMap("same", "in a")).create();
    client.configMaps().inNamespace("b").resource(configMap("same", "in b")).create();
    client.secrets().inNamespace("a").resource(new SecretBuilder().withNewMetadata().withName("same").endMetadata()
        .withStringData(Map.of("v", "secret")).build()).create();

    assertThat(value("a", "same")).isEqualTo("in a");
    assertThat(value("b", "same")).isEqualTo("in b");
    assertThat(client.secrets().inNamespace("a").withName("same").get()).isNotNull();
    assertThat(client.configMaps().inNamespace("c").withName("same").get()).isNull();
    assertThat(client.configMaps().inNamespace("a").withName("other").get()).isNull();
  }

  @Test
  void aReadAfterAWriteSeesTheWriteAndADeletedObjectIsGone() {
    client.configMaps().inNamespace("a").resource(configMap("cm", "1")).create();
    client.configMaps().inNamespace("a").withName("cm").edit(cm -> {
      cm.getData().put("v", "2");
      cm.getMetadata().setLabels(Map.of("changed", "yes")); // a label is part of the stored key
      return cm;
    });
    assertThat(value("a", "cm")).isEqualTo("2");
    assertThat(client.configMaps().inNamespace("a").withLabel("changed", "yes").list().getItems()).hasSize(1);

    client.configMaps().inNamespace("a").withName("cm").delete();
    assertThat(client.configMaps().inNamespace("a").withName("cm").get()).isNull();
    client.configMaps().inNamespace("a").resource(configMap("cm", "3")).create();
    assertThat(value("a", "cm")).isEqualTo("3");
  }

  private String value(String namespace, String name) {
    return client.configMaps().inNamespace(namespace).withName(name).get().getData().get("v");
  }

  private static ConfigMap configMap(String name, String value) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata().withData(Map.of("v", value)).build();
  }
}
