package dev.etcdoperator.resources;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

/**
 * policy/v1 PodDisruptionBudget keeping a quorum of members through voluntary disruptions (node drains). Named as
 * in the brief; note Fabric8 has a class of the same simple name, referenced here by its full name.
 */
public final class PodDisruptionBudgetBuilder {
  private PodDisruptionBudgetBuilder() {}

  /** @param members how many members a quorum is kept of (the voters etcd has, at least spec.replicas) */
  public static PodDisruptionBudget build(ClusterBlueprint blueprint, int members) {
    return new io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder()
        .withMetadata(OwnedMetadata.of(blueprint, blueprint.names().podDisruptionBudget()))
        .withNewSpec()
        .withMinAvailable(new IntOrString(minAvailable(members)))
        .withNewSelector()
        .withMatchLabels(blueprint.labels().selector())
        .endSelector()
        .endSpec()
        .build();
  }

  /**
   * Quorum (n/2+1), except 0 for one member: a single member has no availability to protect, and minAvailable 1
   * would block every drain of its node forever.
   */
  public static int minAvailable(int replicas) {
    return replicas <= 1 ? 0 : replicas / 2 + 1;
  }
}
