package dev.etcdoperator.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The test API server's pods/eviction, as a node drain (and the operator's restarts) meet it. */
class PodEvictionTest {
  @RegisterExtension
  static final ApiServerPerClass API = ApiServerPerClass.plain();
  private final KubernetesClient client = API.clientWithoutRetries();

  /** Evictions go through the disruption budget, as a node drain's do; a plain DELETE does not. */
  @Test
  void evictionsKeepWhatThePodDisruptionBudgetAsks() {
    String ns = "evictions";
    client.resource(new PodDisruptionBudgetBuilder().withNewMetadata().withName("quorum").withNamespace(ns)
        .endMetadata().withNewSpec().withMinAvailable(new IntOrString(2)).withNewSelector()
        .addToMatchLabels("app", "etcd").endSelector().endSpec().build()).create();
    for (String name : List.of("m-0", "m-1", "m-2")) {
      client.resource(new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).addToLabels("app", "etcd")
          .endMetadata().build()).create();
      client.pods().inNamespace(ns).withName(name).editStatus(p -> new PodBuilder(p).withNewStatus()
          .withPhase("Running").addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
          .build());
    }
    Pod unrelated = client.resource(new PodBuilder().withNewMetadata().withName("other").withNamespace(ns)
        .endMetadata().build()).create();

    assertThat(client.pods().inNamespace(ns).withName("m-0").evict()).as("3 Ready, 2 needed").isTrue();
    assertThat(client.pods().inNamespace(ns).withName("m-0").get()).isNull();
    assertThat(client.pods().inNamespace(ns).withName("m-1").evict()).as("2 Ready, 2 needed").isFalse();
    assertThat(client.pods().inNamespace(ns).withName("m-1").get()).isNotNull();

    client.pods().inNamespace(ns).withName("m-2").editStatus(p -> new PodBuilder(p).editStatus().editCondition(0)
        .withStatus("False").endCondition().endStatus().build());
    assertThat(client.pods().inNamespace(ns).withName("m-2").evict()).as("not Ready, and 1 Ready of 2 needed")
        .isFalse();
    assertThat(client.pods().inNamespace(ns).withName("other").evict()).as("no budget selects it").isTrue();

    Eviction ofAnotherIncarnation = new EvictionBuilder().withNewMetadata().withName("m-1").withNamespace(ns)
        .endMetadata().withDeleteOptions(new DeleteOptionsBuilder().withNewPreconditions()
            .withUid(unrelated.getMetadata().getUid()).endPreconditions().build()).build();
    assertThatThrownBy(() -> client.pods().inNamespace(ns).withName("m-1").evict(ofAnotherIncarnation))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
  }
}
