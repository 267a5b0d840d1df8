package dev.etcdoperator.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.MembershipChange;
import dev.etcdoperator.cluster.model.MembershipAction;
import dev.etcdoperator.testing.ApiServerPerClass;
import dev.etcdoperator.testing.TestClusters;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Recycling a replaced member deletes the claim and pod recorded at its removal, not newer ones (finding 24). */
class MemberRecyclingTest {
  @RegisterExtension
  static final ApiServerPerClass API = ApiServerPerClass.plain();
  private final KubernetesClient client = API.client();

  @Test
  void onlyTheIncarnationsRecordedAtTheRemovalAreDeleted() {
    PersistentVolumeClaim staleClaim = client.resource(claim("data-main-1")).create();
    Pod staleOfOther = client.resource(pod("main-2")).create();
    client.resource(staleOfOther).delete();
    Pod recreated = client.resource(pod("main-2")).create(); // the StatefulSet made it anew since the plan
    Pod stalePod = client.resource(pod("main-1")).create();
    MemberRecycling recycling = new MemberRecycling(client);

    recycling.recycle(replacing(staleClaim.getMetadata().getUid(), stalePod.getMetadata().getUid()),
        new MembershipAction.Recycle("main-1", Optional.of("data-main-1")));
    recycling.recycle(replacing(null, staleOfOther.getMetadata().getUid()),
        new MembershipAction.Recycle("main-2", Optional.empty()));

    assertThat(client.persistentVolumeClaims().inNamespace(TestClusters.NAMESPACE).withName("data-main-1").get())
        .isNull();
    assertThat(client.pods().inNamespace(TestClusters.NAMESPACE).withName("main-1").get()).isNull();
    assertThat(client.pods().inNamespace(TestClusters.NAMESPACE).withName("main-2").get().getMetadata().getUid())
        .as("made anew since: kept").isEqualTo(recreated.getMetadata().getUid());
  }

  /**
   * The pod on a stale claim runs on the removed member's data whatever its UID (the cache may not have shown it when
   * the member was removed): it goes with the claim, or it would rejoin under the removed member's ID.
   */
  @Test
  void aPodOnTheStaleClaimGoesWithItWhateverItsUid() {
    PersistentVolumeClaim staleClaim = client.resource(claim("data-main-0")).create();
    Pod unseen = client.resource(pod("main-0")).create();
    MemberRecycling recycling = new MemberRecycling(client);

    recycling.recycle(replacing(staleClaim.getMetadata().getUid(), "uid-of-an-older-pod"),
        new MembershipAction.Recycle("main-0", Optional.of("data-main-0")));

    assertThat(client.persistentVolumeClaims().inNamespace(TestClusters.NAMESPACE).withName("data-main-0").get())
        .isNull();
    assertThat(client.pods().inNamespace(TestClusters.NAMESPACE).withName("main-0").get())
        .as("pod %s on the stale claim", unseen.getMetadata().getUid()).isNull();
  }

  private static EtcdCluster replacing(String claimUid, String podUid) {
    MembershipChange change = new MembershipChange();
    change.setStaleVolumeClaimUID(claimUid);
    change.setStalePodUID(podUid);
    EtcdCluster cluster = TestClusters.cluster(spec -> {});
    cluster.setStatus(new EtcdClusterStatus());
    cluster.getStatus().setMembershipChange(change);
    return cluster;
  }

  private static PersistentVolumeClaim claim(String name) {
    return new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).withNamespace(TestClusters.NAMESPACE)
        .endMetadata().build();
  }

  private static Pod pod(String name) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace(TestClusters.NAMESPACE).endMetadata()
        .build();
  }
}
