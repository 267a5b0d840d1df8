package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.resources.BootstrapConfigMapBuilder;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario (c): the operator is stopped as soon as the StatefulSet exists, before the cluster is Ready, and a new
 * operator instance takes over. The cluster converges to Ready with no duplicate action: one CA Secret, one
 * bootstrap token, one StatefulSet and one etcd cluster (every member reports the same cluster id and sees three
 * members).
 */
@ClassTemplate
@ExtendWith(Backends.class)
class OperatorRestartDuringBootstrapTest {
  private static final String NAME = "main";

  @Test
  void newOperatorFinishesTheBootstrapWithoutRepeatingIt(Scenario scenario) throws Exception {
    var kube = scenario.kube();
    try (ObjectHistory<Secret> secrets = new ObjectHistory<>(kube.secrets().inNamespace(scenario.namespace()));
        ObjectHistory<ConfigMap> configMaps = new ObjectHistory<>(kube.configMaps().inNamespace(scenario.namespace()));
        ObjectHistory<StatefulSet> statefulSets = new ObjectHistory<>(
            kube.apps().statefulSets().inNamespace(scenario.namespace()))) {
      scenario.apply(scenario.tlsCluster(NAME, 3));
      await("StatefulSet created").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
          .until(() -> kube.apps().statefulSets().inNamespace(scenario.namespace()).withName(NAME).get() != null);
      scenario.stopOperator();

      EtcdCluster midway = scenario.get(NAME);
      assertThat(Scenario.hasCondition(midway, "Ready", "True")).as("stopped before Ready: %s", midway.getStatus())
          .isFalse();
      String caUid = kube.secrets().inNamespace(scenario.namespace()).withName(NAME + "-ca").get().getMetadata().getUid();
      String token = kube.configMaps().inNamespace(scenario.namespace()).withName(NAME + "-config").get().getData()
          .get(BootstrapConfigMapBuilder.INITIAL_CLUSTER_TOKEN_KEY);
      String stsUid = kube.apps().statefulSets().inNamespace(scenario.namespace()).withName(NAME).get().getMetadata().getUid();
      assertThat(token).isNotBlank();

      scenario.startOperator();
      scenario.awaitReady(NAME);

      assertThat(secrets.uids(NAME + "-ca")).as("CA Secrets ever created").containsExactly(caUid);
      assertThat(kube.secrets().inNamespace(scenario.namespace()).withName(NAME + "-ca").get().getMetadata().getUid())
          .isEqualTo(caUid);
      assertThat(kube.configMaps().inNamespace(scenario.namespace()).withName(NAME + "-config").get().getData()
          .get(BootstrapConfigMapBuilder.INITIAL_CLUSTER_TOKEN_KEY)).as("initial-cluster-token").isEqualTo(token);
      assertThat(configMaps.uids(NAME + "-config")).hasSize(1);
      assertThat(statefulSets.uids(NAME)).as("StatefulSets ever created").containsExactly(stsUid);
      for (String name : secrets.names()) {
        assertThat(secrets.uids(name)).as("Secret %s created once", name).hasSize(1);
      }
    }

    Set<Long> clusterIds = new HashSet<>();
    for (int ordinal = 0; ordinal < 3; ordinal++) {
      try (Client member = scenario.memberClient(NAME, ordinal)) {
        var members = Scenario.join(member.getClusterClient().listMember());
        assertThat(members.getMembers()).as("members seen by %s-%d", NAME, ordinal).hasSize(3);
        clusterIds.add(members.getHeader().getClusterId());
      }
    }
    assertThat(clusterIds).as("one etcd cluster").hasSize(1);
    assertThat(scenario.restartCount(NAME + "-0") + scenario.restartCount(NAME + "-1")
        + scenario.restartCount(NAME + "-2")).as("no member had to be restarted").isZero();
  }
}
