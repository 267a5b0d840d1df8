package dev.etcdoperator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.etcdoperator.testing.ApiServerPerClass;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A new cluster's owned objects, applied to the API stand-in as the reconciler applies them. */
class OwnedObjectsApplyTest {
  @RegisterExtension
  static final ApiServerPerClass API = ApiServerPerClass.plain();

  /**
   * The objects members do not run on are sent together: each request waits at the API server's door (an
   * interceptor) until all of them have arrived, which sequential applies would never do. The StatefulSet is sent
   * only once they are all stored.
   */
  @Test
  void everythingTheStatefulSetNeedsIsSentAtOnceAndStoredBeforeIt() {
    String ns = "together";
    List<HasMetadata> objects = clusterObjects(ns, "a");
    int beforeStatefulSet = objects.size() - 1;
    CyclicBarrier allInFlight = new CyclicBarrier(beforeStatefulSet);
    List<String> storedWhenStatefulSetWasSent = new CopyOnWriteArrayList<>();
    Interceptor door = new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        if (!"PATCH".equals(request.method())) {
          return;
        }
        if (request.uri().getPath().contains("/statefulsets/")) {
          storedWhenStatefulSetWasSent.addAll(stored(ns));
          return;
        }
        try {
          allInFlight.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
          throw new IllegalStateException("not all " + beforeStatefulSet + " applies were in flight together", e);
        }
      }
    };

    try (KubernetesClient client = clientWith(door)) {
      new OwnedObjectsApply(client, "etcd-operator").apply(objects);
    }

    assertThat(storedWhenStatefulSetWasSent).containsExactlyInAnyOrder("ConfigMap/a-config", "Service/a-peer",
        "Secret/a-ca", "Secret/a-peer-tls", "Secret/a-server-tls", "Secret/a-operator-client-tls");
    assertThat(API.client().apps().statefulSets().inNamespace(ns).withName("a").get()).isNotNull();
  }

  /** A quota refuses two of the Secrets: the caller sees that refusal, and no StatefulSet is made without them. */
  @Test
  void aRefusedObjectHoldsBackTheStatefulSetAndIsWhatTheCallerSees() {
    String ns = "quota";
    API.client().resourceQuotas().inNamespace(ns).resource(new ResourceQuotaBuilder().withNewMetadata()
        .withName("secrets").endMetadata().withNewSpec().withHard(Map.of("count/secrets",
            new Quantity("2"))).endSpec().build()).create();

    assertThatThrownBy(() -> new OwnedObjectsApply(API.client(), "etcd-operator").apply(clusterObjects(ns, "b")))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(403);
          assertThat(e.getMessage()).contains("exceeded quota");
        });

    assertThat(API.client().apps().statefulSets().inNamespace(ns).withName("b").get()).isNull();
    assertThat(API.client().secrets().inNamespace(ns).list().getItems()).hasSize(2);
    assertThat(API.client().configMaps().inNamespace(ns).withName("b-config").get()).isNotNull();
    assertThat(API.client().services().inNamespace(ns).withName("b-peer").get()).isNotNull();
  }

  private static List<HasMetadata> clusterObjects(String ns, String cluster) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String secret : List.of("ca", "peer-tls", "server-tls", "operator-client-tls")) {
      objects.add(new SecretBuilder().withNewMetadata().withName(cluster + "-" + secret).withNamespace(ns)
          .endMetadata().withStringData(Map.of("tls.crt", "not a real certificate")).build());
    }
    objects.add(new ConfigMapBuilder().withNewMetadata().withName(cluster + "-config").withNamespace(ns)
        .endMetadata().withData(Map.of("initial-cluster-state", "new")).build());
    objects.add(new ServiceBuilder().withNewMetadata().withName(cluster + "-peer").withNamespace(ns).endMetadata()
        .withNewSpec().withClusterIP("None").endSpec().build());
    objects.add(new StatefulSetBuilder().withNewMetadata().withName(cluster).withNamespace(ns).endMetadata()
        .withNewSpec().withReplicas(1).withServiceName(cluster + "-peer").endSpec().build());
    return objects;
  }

  private static List<String> stored(String ns) {
    List<String> stored = new ArrayList<>();
    API.client().secrets().inNamespace(ns).list().getItems()
        .forEach(s -> stored.add("Secret/" + s.getMetadata().getName()));
    API.client().configMaps().inNamespace(ns).list().getItems()
        .forEach(c -> stored.add("ConfigMap/" + c.getMetadata().getName()));
    API.client().services().inNamespace(ns).list().getItems()
        .forEach(s -> stored.add("Service/" + s.getMetadata().getName()));
    return stored;
  }

  private static KubernetesClient clientWith(Interceptor interceptor) {
    return new KubernetesClientBuilder().withConfig(new ConfigBuilder(API.client().getConfiguration()).build())
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("door", interceptor)).build();
  }
}
