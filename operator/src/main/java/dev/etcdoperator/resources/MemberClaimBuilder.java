package dev.etcdoperator.resources;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;

/**
 * A member's volume claim made before its StatefulSet exists (a restore writes the member's data into it first). It
 * has the name and shape the StatefulSet would give it, so the StatefulSet's pod uses it as its own.
 */
public final class MemberClaimBuilder {
  private MemberClaimBuilder() {}

  /** @throws IllegalArgumentException when the cluster's members have no persistent volumes */
  public static PersistentVolumeClaim build(ClusterBlueprint blueprint, int ordinal) {
    if (!(blueprint.storage() instanceof MemberStorage.PersistentVolume volume)) {
      throw new IllegalArgumentException("members of " + blueprint.names().cluster() + " have no persistent volumes");
    }
    return new PersistentVolumeClaimBuilder(MemberStatefulSetBuilder.claimTemplate(blueprint, volume))
        .editMetadata()
        .withName(claimName(blueprint.names(), ordinal))
        .withNamespace(blueprint.names().namespace())
        // Not the controller: the StatefulSet controller makes itself that when it applies its retention policy. This
        // reference lets the claim go with the cluster should it be deleted before the StatefulSet exists.
        .withOwnerReferences(new OwnerReferenceBuilder(OwnedMetadata.controllerReference(blueprint))
            .withController(false).withBlockOwnerDeletion(false).build())
        .endMetadata()
        .build();
  }

  /** {@code <template>-<statefulset>-<ordinal>}, as the StatefulSet controller names a member's claim. */
  public static String claimName(ClusterNames names, int ordinal) {
    return MemberStatefulSetBuilder.DATA_VOLUME + "-" + names.podName(ordinal);
  }
}
