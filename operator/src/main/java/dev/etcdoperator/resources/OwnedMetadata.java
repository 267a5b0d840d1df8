package dev.etcdoperator.resources;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/** Metadata shared by every object a cluster owns: namespace, labels, and the one controller reference. */
public final class OwnedMetadata {
  private OwnedMetadata() {}

  public static ObjectMeta of(ClusterBlueprint blueprint, String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(blueprint.names().namespace())
        .withLabels(blueprint.labels().forOwnedObjects())
        .withOwnerReferences(controllerReference(blueprint))
        .build();
  }

  /**
   * controller=true lets the operator's informers map the object back to its cluster; blockOwnerDeletion=true keeps
   * a foreground deletion of the cluster waiting until the garbage collector has removed the object.
   */
  public static OwnerReference controllerReference(ClusterBlueprint blueprint) {
    return new OwnerReferenceBuilder()
        .withApiVersion(blueprint.ownerApiVersion())
        .withKind(blueprint.ownerKind())
        .withName(blueprint.names().cluster())
        .withUid(blueprint.uid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }
}
