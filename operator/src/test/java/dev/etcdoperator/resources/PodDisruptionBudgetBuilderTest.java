package dev.etcdoperator.resources;

import static dev.etcdoperator.testing.TestClusters.assertOwnedObject;
import static dev.etcdoperator.testing.TestClusters.blueprint;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PodDisruptionBudgetBuilderTest {

  @ParameterizedTest(name = "{0} members -> minAvailable {1}")
  @CsvSource({"1, 0", "3, 2", "5, 3", "7, 4", "9, 5"})
  void keepsAQuorumExceptForASingleMember(int members, int minAvailable) {
    ClusterBlueprint bp = blueprint("3.5.21", s -> s.setReplicas(3));

    PodDisruptionBudget pdb = PodDisruptionBudgetBuilder.build(bp, members);

    assertOwnedObject(pdb, "main");
    assertThat(pdb.getApiVersion()).isEqualTo("policy/v1");
    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(minAvailable);
    assertThat(pdb.getSpec().getMaxUnavailable()).isNull();
    assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(bp.labels().selector());
  }
}
