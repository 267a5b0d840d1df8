package dev.etcdoperator.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManagedFieldsFreeCacheTest {

  @Test
  void cachedObjectsKeepEverythingButTheirManagedFields() {
    ItemStore<Secret> store = ManagedFieldsFreeCache.store();
    Secret fromServer = new SecretBuilder().withNewMetadata().withName("c1-ca").withNamespace("ns")
        .withResourceVersion("42").addToLabels("app.kubernetes.io/instance", "c1")
        .addToManagedFields(new ManagedFieldsEntryBuilder().withManager("etcd-operator").withOperation("Apply")
            .withFieldsType("FieldsV1").build())
        .endMetadata().withData(Map.of("ca.crt", "Y2E=")).build();

    store.put(store.getKey(fromServer), fromServer);

    Secret cached = store.get("ns/c1-ca");
    assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(cached.getMetadata().getResourceVersion()).isEqualTo("42");
    assertThat(cached.getMetadata().getLabels()).containsEntry("app.kubernetes.io/instance", "c1");
    assertThat(cached.getData()).containsEntry("ca.crt", "Y2E=");
  }
}
