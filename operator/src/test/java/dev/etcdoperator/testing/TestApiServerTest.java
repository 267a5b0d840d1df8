package dev.etcdoperator.testing;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceSubresourceStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The test API server, seen from the operator's JVM (Fabric8 7.5.2 with the JDK HTTP client), behaves like a real
 * API server where the operator depends on it: server-side apply, merge patch, /status, generation, optimistic
 * locking, watches.
 */
class TestApiServerTest {

  private static final ResourceDefinitionContext WIDGETS = new ResourceDefinitionContext.Builder()
      .withGroup("example.dev").withVersion("v1").withKind("Widget").withPlural("widgets").withNamespaced(true)
      .build();
  private static final PatchContext APPLY_STATUS = new PatchContext.Builder()
      .withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("t").withForce(true).build();

  @RegisterExtension
  static final ApiServerPerClass API = ApiServerPerClass.plain();
  private static KubernetesClient client;

  @BeforeAll
  static void installWidgets() {
    client = API.client();
    CustomResourceDefinition crd = new CustomResourceDefinitionBuilder()
        .withNewMetadata().withName("widgets.example.dev").endMetadata()
        .withNewSpec().withGroup("example.dev").withScope("Namespaced")
        .withNewNames().withKind("Widget").withListKind("WidgetList").withPlural("widgets").withSingular("widget")
        .endNames()
        .addNewVersion().withName("v1").withServed(true).withStorage(true)
        .withNewSubresources().withStatus(new CustomResourceSubresourceStatus()).endSubresources()
        .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
        .endOpenAPIV3Schema().endSchema()
        .endVersion()
        .endSpec()
        .build();
    client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
  }

  @Test
  void serverSideApplyReplacesListsAndCreatesMissingObjects() {
    String ns = namespace();
    ConfigMap cm = new ConfigMapBuilder()
        .withNewMetadata().withName("applied").withNamespace(ns).endMetadata()
        .addToData("a", "1")
        .build();
    client.resource(cm).create();

    ConfigMap first = client.resource(withOwners(cm, "one", "two")).fieldManager("t").forceConflicts()
        .serverSideApply();
    assertThat(ownerNames(first)).containsExactly("one", "two");

    ConfigMap second = client.resource(withOwners(cm, "three")).fieldManager("t").forceConflicts()
        .serverSideApply();
    assertThat(ownerNames(second)).containsExactly("three");
    assertThat(ownerNames(client.configMaps().inNamespace(ns).withName("applied").get())).containsExactly("three");
    assertThat(Long.parseLong(second.getMetadata().getResourceVersion()))
        .isGreaterThan(Long.parseLong(first.getMetadata().getResourceVersion()));

    ConfigMap missing = new ConfigMapBuilder()
        .withNewMetadata().withName("created-by-apply").withNamespace(ns).endMetadata()
        .addToData("k", "v")
        .build();
    ConfigMap created = client.resource(missing).fieldManager("t").forceConflicts().serverSideApply();
    assertThat(created.getMetadata().getUid()).isNotBlank();
    assertThat(client.configMaps().inNamespace(ns).withName("created-by-apply").get().getData())
        .containsExactly(Map.entry("k", "v"));
  }

  @Test
  void mergePatchDeletesNullKeysAndJsonPatchFailuresAreRejected() {
    String ns = namespace();
    client.resource(new ConfigMapBuilder()
        .withNewMetadata().withName("patched").withNamespace(ns).addToLabels("drop", "me").endMetadata()
        .addToData("a", "1").addToData("b", "2")
        .build()).create();
    Resource<ConfigMap> patched = client.configMaps().inNamespace(ns).withName("patched");

    ConfigMap merged = patched.patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"metadata\":{\"labels\":{\"drop\":null}},\"data\":{\"a\":null,\"c\":\"3\"}}");
    assertThat(merged.getData()).containsOnlyKeys("b", "c");
    assertThat(merged.getMetadata().getLabels()).doesNotContainKey("drop");

    assertThatThrownBy(() -> patched.patch(PatchContext.of(PatchType.JSON),
        "[{\"op\":\"test\",\"path\":\"/data/b\",\"value\":\"not 2\"}]"))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
    // as on a real API server, a JSON Patch does not create missing parents (the stock mock server did)
    assertThatThrownBy(() -> patched.patch(PatchContext.of(PatchType.JSON),
        "[{\"op\":\"add\",\"path\":\"/metadata/annotations/x\",\"value\":\"1\"}]"))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
    ConfigMap jsonPatched = patched.patch(PatchContext.of(PatchType.JSON),
        "[{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"x\":\"1\"}},"
            + "{\"op\":\"remove\",\"path\":\"/data/b\"}]");
    assertThat(jsonPatched.getMetadata().getAnnotations()).containsEntry("x", "1");
    assertThat(patched.get().getData()).containsOnlyKeys("c");
  }

  /** As the ResourceQuota admission plugin does for object counts (count/<resource>): 403 beyond the count. */
  @Test
  void objectCountQuotasRefuseCreatesBeyondTheirCount() {
    String ns = namespace();
    client.resource(new ResourceQuotaBuilder().withNewMetadata().withName("one-widget").withNamespace(ns)
        .endMetadata().withNewSpec().addToHard("count/widgets.example.dev", new Quantity("1")).endSpec().build())
        .create();
    NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
        widgets = client.genericKubernetesResources(WIDGETS).inNamespace(ns);
    widgets.resource(widget(ns, "first")).create();

    assertThatThrownBy(() -> widgets.resource(widget(ns, "second")).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(403);
          assertThat(e.getStatus().getMessage()).isEqualTo("widgets.example.dev \"second\" is forbidden: exceeded"
              + " quota: one-widget, requested: count/widgets.example.dev=1, used: count/widgets.example.dev=1,"
              + " limited: count/widgets.example.dev=1");
        });
    assertThat(widgets.list().getItems()).extracting(w -> w.getMetadata().getName()).containsExactly("first");
  }

  private static GenericKubernetesResource widget(String ns, String name) {
    return new GenericKubernetesResourceBuilder().withApiVersion("example.dev/v1").withKind("Widget")
        .withNewMetadata().withName(name).withNamespace(ns).endMetadata().build();
  }

  @Test
  void staleResourceVersionIsAConflict() {
    String ns = namespace();
    ConfigMap created = client.resource(new ConfigMapBuilder()
        .withNewMetadata().withName("locked").withNamespace(ns).endMetadata()
        .addToData("a", "1")
        .build()).create();
    client.resource(new ConfigMapBuilder(created).addToData("a", "2").build()).update();

    assertThatThrownBy(() -> client.resource(new ConfigMapBuilder(created).addToData("a", "3").build()).update())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    // server-side apply checks a resourceVersion only when the applied configuration carries one
    assertThatThrownBy(() -> client.resource(new ConfigMapBuilder(created).addToData("a", "4").build())
        .fieldManager("t").forceConflicts().serverSideApply())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    ConfigMap withoutVersion = new ConfigMapBuilder(created).editMetadata().withResourceVersion(null).endMetadata()
        .addToData("a", "5").build();
    assertThat(client.resource(withoutVersion).fieldManager("t").forceConflicts().serverSideApply().getData())
        .containsEntry("a", "5");
    assertThat(client.resource(created).get().getData()).containsEntry("a", "5");
  }

  @Test
  void customResourceStatusIsASubresourceAndGenerationFollowsSpec() {
    String ns = namespace();
    NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
        widgets = client.genericKubernetesResources(WIDGETS).inNamespace(ns);

    GenericKubernetesResource created = widgets.resource(widget(ns, "w", Map.of("size", 1),
        Map.of("phase", "set-by-create"))).create();
    assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
    assertThat(created.getAdditionalProperties()).doesNotContainKey("status");

    // PUT /status: only .status changes, generation does not
    GenericKubernetesResource putStatus = widget(ns, "w", Map.of("size", 99),
        Map.of("phase", "Creating", "members", List.of("a", "b")));
    putStatus.getMetadata().setResourceVersion(created.getMetadata().getResourceVersion());
    GenericKubernetesResource afterPut = widgets.resource(putStatus).updateStatus();
    assertThat(status(afterPut)).containsEntry("phase", "Creating").containsEntry("members", List.of("a", "b"));
    assertThat(spec(afterPut)).containsEntry("size", 1);
    assertThat(afterPut.getMetadata().getGeneration()).isEqualTo(1L);
    assertThat(rv(afterPut)).isGreaterThan(rv(created));

    // ... with optimistic locking
    assertThatThrownBy(() -> widgets.resource(putStatus).updateStatus())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));

    // patchStatus(): lists are replaced, not appended
    GenericKubernetesResource forPatch = widget(ns, "w", Map.of("size", 98), Map.of("phase", "Running",
        "members", List.of("c")));
    forPatch.getMetadata().setResourceVersion(afterPut.getMetadata().getResourceVersion());
    GenericKubernetesResource afterPatch = widgets.resource(forPatch).patchStatus();
    assertThat(status(afterPatch)).containsEntry("phase", "Running").containsEntry("members", List.of("c"));
    assertThat(spec(afterPatch)).containsEntry("size", 1);
    assertThat(afterPatch.getMetadata().getGeneration()).isEqualTo(1L);

    // server-side apply on /status, as JOSDK does it (the query string must not make it a main-resource write)
    GenericKubernetesResource applied = widgets.resource(widget(ns, "w", null,
        Map.of("phase", "Ready", "members", List.of("x", "y")))).subresource("status").patch(APPLY_STATUS);
    assertThat(status(applied)).containsEntry("phase", "Ready").containsEntry("members", List.of("x", "y"));
    assertThat(spec(applied)).containsEntry("size", 1);
    assertThat(applied.getMetadata().getGeneration()).isEqualTo(1L);
    assertThat(rv(applied)).isGreaterThan(rv(afterPatch));
    assertThat(status(widgets.withName("w").get())).containsEntry("members", List.of("x", "y"));

    // a real API server never creates an object through a subresource
    assertThatThrownBy(() -> widgets.resource(widget(ns, "nobody", null, Map.of("phase", "x")))
        .subresource("status").patch(APPLY_STATUS))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));

    // a metadata-only change keeps the generation; a status change on the main resource is ignored
    GenericKubernetesResource labelled = widgets.resource(widget(ns, "w", Map.of("size", 1),
        Map.of("phase", "ignored"))).fieldManager("t").forceConflicts().serverSideApply();
    GenericKubernetesResource relabelled = widgets.withName("w").edit(w -> {
      w.getMetadata().setLabels(Map.of("team", "a"));
      return w;
    });
    assertThat(relabelled.getMetadata().getLabels()).containsEntry("team", "a");
    assertThat(relabelled.getMetadata().getGeneration()).isEqualTo(1L);
    assertThat(status(labelled)).containsEntry("phase", "Ready");

    // a spec change bumps it (server-side apply and update alike), status still untouched
    GenericKubernetesResource resized = widgets.resource(widget(ns, "w", Map.of("size", 3), null))
        .fieldManager("t").forceConflicts().serverSideApply();
    assertThat(resized.getMetadata().getGeneration()).isEqualTo(2L);
    assertThat(status(resized)).containsEntry("phase", "Ready");
    GenericKubernetesResource updated = widgets.withName("w").edit(w -> {
      w.setAdditionalProperty("spec", Map.of("size", 5));
      w.setAdditionalProperty("status", Map.of("phase", "ignored"));
      return w;
    });
    assertThat(updated.getMetadata().getGeneration()).isEqualTo(3L);
    assertThat(spec(updated)).containsEntry("size", 5);
    assertThat(status(updated)).containsEntry("phase", "Ready");
  }

  @Test
  void informersAndWatchesOnAllNamespacesSeeAddedAndModified() {
    String ns1 = namespace();
    String ns2 = namespace();
    List<String> informed = new CopyOnWriteArrayList<>();
    List<String> watched = new CopyOnWriteArrayList<>();

    SharedIndexInformer<ConfigMap> informer = client.configMaps().inAnyNamespace()
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(ConfigMap cm) {
            informed.add("ADDED " + key(cm));
          }

          @Override
          public void onUpdate(ConfigMap oldCm, ConfigMap newCm) {
            informed.add("MODIFIED " + key(newCm) + " " + newCm.getData());
          }

          @Override
          public void onDelete(ConfigMap cm, boolean deletedFinalStateUnknown) {
            informed.add("DELETED " + key(cm));
          }
        });
    Watch watch = client.genericKubernetesResources(WIDGETS).inAnyNamespace().watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, GenericKubernetesResource resource) {
        watched.add(action + " " + key(resource) + " " + spec(resource));
      }

      @Override
      public void onClose(WatcherException cause) {
        // closed by the test
      }
    });
    try {
      for (String ns : List.of(ns1, ns2)) {
        client.resource(new ConfigMapBuilder()
            .withNewMetadata().withName("watched").withNamespace(ns).endMetadata()
            .addToData("v", "1")
            .build()).create();
        client.genericKubernetesResources(WIDGETS).inNamespace(ns)
            .resource(widget(ns, "watched", Map.of("size", 1), null)).create();
      }
      client.configMaps().inNamespace(ns2).withName("watched")
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"data\":{\"v\":\"2\"}}");
      client.genericKubernetesResources(WIDGETS).inNamespace(ns1)
          .resource(widget(ns1, "watched", Map.of("size", 2), null)).fieldManager("t").forceConflicts()
          .serverSideApply();

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(informed).contains("ADDED " + ns1 + "/watched", "ADDED " + ns2 + "/watched",
            "MODIFIED " + ns2 + "/watched {v=2}");
        assertThat(watched).contains("ADDED " + ns1 + "/watched {size=1}", "ADDED " + ns2 + "/watched {size=1}",
            "MODIFIED " + ns1 + "/watched {size=2}");
      });
      assertThat(informer.getStore().getByKey(ns2 + "/watched").getData()).containsEntry("v", "2");
    } finally {
      watch.close();
      informer.close();
    }
  }

  private static String namespace() {
    return "t-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static String key(io.fabric8.kubernetes.api.model.HasMetadata object) {
    return object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
  }

  private static long rv(GenericKubernetesResource resource) {
    return Long.parseLong(resource.getMetadata().getResourceVersion());
  }

  private static GenericKubernetesResource widget(String ns, String name, Map<String, Object> spec,
      Map<String, Object> status) {
    GenericKubernetesResource widget = new GenericKubernetesResourceBuilder()
        .withApiVersion("example.dev/v1").withKind("Widget")
        .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .build();
    if (spec != null) {
      widget.setAdditionalProperty("spec", spec);
    }
    if (status != null) {
      widget.setAdditionalProperty("status", status);
    }
    return widget;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource resource) {
    return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> status(GenericKubernetesResource resource) {
    return (Map<String, Object>) resource.getAdditionalProperties().get("status");
  }

  private static ConfigMap withOwners(ConfigMap cm, String... owners) {
    return new ConfigMapBuilder(cm).editMetadata()
        .withOwnerReferences(java.util.Arrays.stream(owners).map(TestApiServerTest::owner).toList())
        .endMetadata().build();
  }

  private static OwnerReference owner(String name) {
    return new OwnerReferenceBuilder().withApiVersion("example.dev/v1").withKind("Widget").withName(name)
        .withUid(UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString())
        .withController(false).build();
  }

  private static List<String> ownerNames(ConfigMap cm) {
    return cm.getMetadata().getOwnerReferences().stream().map(OwnerReference::getName).toList();
  }
}
