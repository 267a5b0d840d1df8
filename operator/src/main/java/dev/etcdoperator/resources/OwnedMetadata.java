package dev.etcdoperator.resources;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
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
    return controllerReference(blueprint.ownerApiVersion(), blueprint.ownerKind(), blueprint.names().cluster(),
        blueprint.uid());
  }

  /** For objects a cluster owns whatever its spec holds (a spec too broken for a blueprint included). */
  public static ObjectMeta of(EtcdCluster cluster, String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(cluster.getMetadata().getNamespace())
        .withLabels(new ClusterLabels(cluster.getMetadata().getName()).forOwnedObjects())
        .withOwnerReferences(controllerReference(HasMetadata.getApiVersion(EtcdCluster.class),
            HasMetadata.getKind(EtcdCluster.class), cluster.getMetadata().getName(), cluster.getMetadata().getUid()))
        .build();
  }

  private static OwnerReference controllerReference(String apiVersion, String kind, String name, String uid) {
    return new OwnerReferenceBuilder()
        .withApiVersion(apiVersion)
        .withKind(kind)
        .withName(name)
        .withUid(uid)
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }
}
