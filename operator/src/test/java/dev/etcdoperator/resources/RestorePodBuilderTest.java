package dev.etcdoperator.resources;

import static dev.etcdoperator.testing.TestClusters.blueprint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdPodTemplate;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RestorePodBuilderTest {

  /**
   * Zonal volumes bind where the restore pod runs, and the member later has to run there: restore pods are spread by
   * the members' own constraints, counting restore pods (members do not exist yet).
   */
  @Test
  void restorePodsSpreadAsTheMembersWillCountingEachOther() {
    TopologySpreadConstraint zones = new TopologySpreadConstraintBuilder().withMaxSkew(1)
        .withTopologyKey("topology.kubernetes.io/zone").withWhenUnsatisfiable("DoNotSchedule")
        .withNewLabelSelector().addToMatchLabels("app.kubernetes.io/component", "member").endLabelSelector()
        .withMatchLabelKeys("pod-template-hash").build();
    EtcdPodTemplate template = new EtcdPodTemplate();
    template.setTopologySpreadConstraints(List.of(zones));
    ClusterBlueprint blueprint = blueprint("3.5.21", s -> s.setPodTemplate(template));

    Pod pod = RestorePodBuilder.build(blueprint, new RestorePodBuilder.Inputs(1, "operator:1", List.of("fetch"),
        List.of("commit"), Optional.empty(), Optional.empty(), BootstrapConfig.initial(blueprint)));

    assertThat(pod.getSpec().getTopologySpreadConstraints()).singleElement().satisfies(c -> {
      assertThat(c.getTopologyKey()).isEqualTo("topology.kubernetes.io/zone");
      assertThat(c.getMaxSkew()).isEqualTo(1);
      assertThat(c.getWhenUnsatisfiable()).isEqualTo("DoNotSchedule");
      assertThat(c.getLabelSelector().getMatchLabels()).isEqualTo(RestorePodBuilder.labels(blueprint))
          .isEqualTo(pod.getMetadata().getLabels());
      assertThat(c.getMatchLabelKeys()).isEmpty();
    });
    assertThat(blueprint.pod().topologySpreadConstraints().get(0).getLabelSelector().getMatchLabels())
        .as("the members' own constraint is left as it is").containsEntry("app.kubernetes.io/component", "member");
  }
}
