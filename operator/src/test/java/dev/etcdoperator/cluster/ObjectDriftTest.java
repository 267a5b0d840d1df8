package dev.etcdoperator.cluster;

import dev.etcdoperator.testing.TestClusters;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterSpec;
import dev.etcdoperator.api.v1alpha1.EtcdPodTemplate;
import dev.etcdoperator.api.v1alpha1.StorageSpec;
import dev.etcdoperator.resources.ClientServiceBuilder;
import dev.etcdoperator.resources.ClusterBlueprint;
import dev.etcdoperator.resources.MemberStatefulSetBuilder;
import dev.etcdoperator.support.EtcdVersion;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ObjectDriftTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private final ObjectDrift drift = new ObjectDrift(SERIALIZATION);

  private static ClusterBlueprint blueprint(Consumer<EtcdClusterSpec> spec) {
    return ClusterBlueprint.from(TestClusters.cluster(spec), EtcdVersion.parse("3.5.21").orElseThrow(),
        ClusterBlueprint.DEFAULT_IMAGE_REPOSITORY);
  }

  private static Service clientService() {
    return ClientServiceBuilder.build(blueprint(s -> {}));
  }

  private static StatefulSet statefulSet(Consumer<EtcdClusterSpec> spec) {
    return MemberStatefulSetBuilder.build(blueprint(spec), 3);
  }

  /** The object as it comes back from the API server: a fresh copy, edited as JSON. */
  @SuppressWarnings("unchecked")
  private static <T extends HasMetadata> T live(T desired, Consumer<ObjectNode> edit) {
    ObjectNode json = SERIALIZATION.convertValue(desired, ObjectNode.class);
    edit.accept(json);
    return (T) SERIALIZATION.convertValue(json, desired.getClass());
  }

  private static ObjectNode at(ObjectNode root, String... path) {
    ObjectNode node = root;
    for (String p : path) {
      node = node.has(p) ? (ObjectNode) node.get(p) : node.putObject(p);
    }
    return node;
  }

  private static ObjectNode container(ObjectNode sts) {
    return (ObjectNode) at(sts, "spec", "template", "spec").get("containers").get(0);
  }

  private static GenericKubernetesResource generic(Map<String, Object> spec) {
    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setApiVersion("example.dev/v1");
    r.setKind("Thing");
    r.setMetadata(new ObjectMetaBuilder().withName("thing").withNamespace("db").build());
    r.setAdditionalProperty("spec", spec);
    return r;
  }

  @Test
  void missingLiveObjectMustBeApplied() {
    assertThat(drift.needsApply(clientService(), null)).isTrue();
  }

  @Test
  void identicalObjectsAreLeftAlone() {
    assertThat(drift.needsApply(clientService(), live(clientService(), j -> {}))).isFalse();
    StatefulSet sts = statefulSet(s -> {});
    assertThat(drift.needsApply(sts, live(sts, j -> {}))).isFalse();
  }

  @Test
  void fieldsTheServerAddsToAServiceAreIgnored() {
    Service live = live(clientService(), j -> {
      ObjectNode meta = at(j, "metadata");
      meta.put("resourceVersion", "4711");
      meta.put("uid", "0d1b2c3d-0000-4000-8000-000000000001");
      meta.put("creationTimestamp", "2026-11-01T10:00:00Z");
      meta.putArray("managedFields").addObject().put("manager", "etcd-operator").put("operation", "Apply");
      at(meta, "labels").put("team", "storage");
      at(meta, "annotations").put("kubectl.kubernetes.io/last-applied-configuration", "{}");
      ObjectNode spec = at(j, "spec");
      spec.put("clusterIP", "10.96.12.34");
      spec.putArray("clusterIPs").add("10.96.12.34");
      spec.put("sessionAffinity", "None");
      spec.put("internalTrafficPolicy", "Cluster");
      spec.putArray("ipFamilies").add("IPv4");
      spec.put("ipFamilyPolicy", "SingleStack");
      at(j, "status", "loadBalancer");
    });

    assertThat(drift.needsApply(clientService(), live)).isFalse();
  }

  @Test
  void fieldsTheServerAddsToAStatefulSetAreIgnored() {
    StatefulSet desired = statefulSet(s -> {});
    StatefulSet live = live(desired, j -> {
      at(j, "metadata").put("resourceVersion", "99").put("generation", 3);
      at(j, "spec").put("revisionHistoryLimit", 10).put("minReadySeconds", 0);
      ObjectNode pod = at(j, "spec", "template", "spec");
      pod.put("dnsPolicy", "ClusterFirst").put("restartPolicy", "Always").put("schedulerName", "default-scheduler");
      container(j).put("terminationMessagePath", "/dev/termination-log").put("imagePullPolicy", "IfNotPresent");
      at(j, "status").put("replicas", 3).put("readyReplicas", 2).put("currentRevision", "main-6d4f");
    });

    assertThat(drift.needsApply(desired, live)).isFalse();
  }

  @Test
  void aChangedSelectorValueIsPutBack() {
    Service live = live(clientService(), j -> at(j, "spec", "selector").put("app.kubernetes.io/instance", "other"));

    assertThat(drift.needsApply(clientService(), live)).isTrue();
  }

  @Test
  void aRemovedLabelOfOursIsPutBack() {
    Service live = live(clientService(), j -> at(j, "metadata", "labels").remove("app.kubernetes.io/managed-by"));

    assertThat(drift.needsApply(clientService(), live)).isTrue();
  }

  @Test
  void aChangedContainerArgIsPutBack() {
    StatefulSet desired = statefulSet(s -> {});
    StatefulSet live = live(desired, j -> {
      ArrayNode args = (ArrayNode) container(j).get("args");
      assertThat(args).isNotEmpty();
      args.set(0, args.textNode(args.get(0).asText() + "-changed"));
    });

    assertThat(drift.needsApply(desired, live)).isTrue();
  }

  @Test
  void aListOfDifferentLengthIsPutBack() {
    Service desired = clientService();
    Service extraPort = live(desired, j -> {});
    extraPort.getSpec().getPorts().add(new ServicePortBuilder().withName("debug").withPort(9999).build());
    Service missingPort = live(desired, j -> {});
    missingPort.getSpec().getPorts().remove(1);

    assertThat(drift.needsApply(desired, extraPort)).isTrue();
    assertThat(drift.needsApply(desired, missingPort)).isTrue();
  }

  @Test
  void aChangedImageIsPutBack() {
    StatefulSet desired = statefulSet(s -> {});
    StatefulSet live = live(desired, j -> container(j).put("image", "gcr.io/etcd-development/etcd:v3.5.20"));

    assertThat(drift.needsApply(desired, live)).isTrue();
  }

  @Test
  void integralAndDecimalNumbersAreEqual() {
    assertThat(drift.needsApply(generic(Map.of("replicas", 1)), generic(Map.of("replicas", 1.0)))).isFalse();
    assertThat(drift.needsApply(generic(Map.of("replicas", 1.0)), generic(Map.of("replicas", 1)))).isFalse();
    assertThat(drift.needsApply(generic(Map.of("replicas", 1)), generic(Map.of("replicas", 2)))).isTrue();
  }

  @Test
  void aNumberAndTheSameDigitsAsTextDiffer() {
    assertThat(drift.needsApply(generic(Map.of("port", 2379)), generic(Map.of("port", "2379")))).isTrue();
  }

  @Test
  void emptyListsAndMapsInDesiredMatchAbsentFields() {
    GenericKubernetesResource desired = generic(Map.of("tolerations", List.of(), "nodeSelector", Map.of(),
        "replicas", 3));

    assertThat(drift.needsApply(desired, generic(Map.of("replicas", 3)))).isFalse();
    assertThat(drift.needsApply(desired, generic(Map.of("replicas", 3, "tolerations", List.of(),
        "nodeSelector", Map.of())))).isFalse();
  }

  @Test
  void anEmptyListInDesiredDoesNotMatchALiveListWithItems() {
    GenericKubernetesResource desired = generic(Map.of("tolerations", List.of()));

    assertThat(drift.needsApply(desired, generic(Map.of("tolerations", List.of(Map.of("key", "x")))))).isTrue();
  }

  @Test
  void aFieldOfOursMissingFromLiveIsPutBack() {
    StatefulSet desired = statefulSet(s -> {});
    StatefulSet live = live(desired, j -> at(j, "spec", "template", "spec").remove("securityContext"));

    assertThat(drift.needsApply(desired, live)).isTrue();
  }

  /**
   * The API server stores quantities in canonical form (cpu "0.5" -> "500m", "1000m" -> "1", memory "1024Mi" ->
   * "1Gi", "1000M" -> "1G"; kubernetes/kubernetes#116135). A user's equivalent spelling must not look like drift,
   * or the operator re-applies the StatefulSet on every reconcile and the cluster never reports Ready.
   */
  @Test
  void quantitiesTheServerCanonicalizedAreNotDrift() {
    StatefulSet desired = statefulSet(s -> {
      EtcdPodTemplate pod = new EtcdPodTemplate();
      pod.setResources(new ResourceRequirementsBuilder()
          .addToRequests("cpu", new Quantity("0.5")).addToRequests("memory", new Quantity("1024Mi"))
          .addToLimits("cpu", new Quantity("1000m")).addToLimits("memory", new Quantity("1000M"))
          .build());
      s.setPodTemplate(pod);
    });
    // Control: the same spelling on both sides is no drift, so only the spelling below makes a difference.
    assertThat(drift.needsApply(desired, live(desired, j -> {}))).isFalse();
    StatefulSet live = live(desired, j -> {
      ObjectNode resources = at(container(j), "resources");
      at(resources, "requests").put("cpu", "500m").put("memory", "1Gi");
      at(resources, "limits").put("cpu", "1").put("memory", "1G");
    });

    assertThat(drift.needsApply(desired, live)).isFalse();
  }

  @Test
  void emptyDirSizeLimitTheServerCanonicalizedIsNotDrift() {
    StatefulSet desired = statefulSet(s -> {
      StorageSpec storage = new StorageSpec();
      StorageSpec.EmptyDirStorage emptyDir = new StorageSpec.EmptyDirStorage();
      emptyDir.setSizeLimit("2048Mi");
      storage.setEmptyDir(emptyDir);
      s.setStorage(storage);
    });
    assertThat(drift.needsApply(desired, live(desired, j -> {}))).isFalse();
    StatefulSet live = live(desired, j -> {
      JsonNode volume = at(j, "spec", "template", "spec").get("volumes").get(0);
      at((ObjectNode) volume, "emptyDir").put("sizeLimit", "2Gi");
    });

    assertThat(drift.needsApply(desired, live)).isFalse();
  }

  @Test
  void aReallyChangedQuantityIsPutBack() {
    StatefulSet desired = statefulSet(s -> {
      EtcdPodTemplate pod = new EtcdPodTemplate();
      pod.setResources(new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity("500m")).build());
      s.setPodTemplate(pod);
    });
    StatefulSet live = live(desired, j -> at(container(j), "resources", "requests").put("cpu", "250m"));

    assertThat(drift.needsApply(desired, live)).isTrue();
  }
}
