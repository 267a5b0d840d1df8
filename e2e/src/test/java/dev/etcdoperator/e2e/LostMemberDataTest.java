package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.MemberStatus;
import dev.etcdoperator.api.v1alpha1.StorageSpec;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member loses its data: its volume claim and pod are deleted, and the StatefulSet brings the pod back on a new,
 * empty claim. The operator replaces the member (removes it, recreates its claim and pod empty, adds it back as a
 * learner, promotes it) while an application writes throughout and a probe reads every 100 ms.
 */
@ClassTemplate
@ExtendWith(Backends.class)
class LostMemberDataTest {
  private static final String NAME = "heal";
  private static final String VICTIM = NAME + "-1";
  private static final Logger LOG = LoggerFactory.getLogger(LostMemberDataTest.class);

  @Test
  void aMemberWhoseClaimAndPodAreDeletedIsReplacedAutomatically(Scenario scenario) {
    scenario.apply(scenario.tlsCluster(NAME, 3));
    scenario.awaitReady(NAME);
    await("the claim of each member recorded").atMost(Duration.ofSeconds(30))
        .until(() -> scenario.get(NAME).getStatus().getMembers().stream()
            .allMatch(m -> m.getVolumeClaimUID() != null));
    String oldId = member(scenario.get(NAME), VICTIM).orElseThrow().getId();

    AcknowledgedWriter writer = Traffic.around(scenario, NAME, () -> {
      Instant lost = Instant.now();
      scenario.deleteClaim("data-" + VICTIM);
      scenario.deletePod(VICTIM);
      scenario.awaitCluster(NAME, VICTIM + " replaced: a new member id, healthy, Ready", Duration.ofMinutes(2),
          etcd -> {
            Optional<MemberStatus> replaced = member(etcd, VICTIM);
            return Scenario.hasCondition(etcd, "Ready", "True") && etcd.getStatus().getMembershipChange() == null
                && etcd.getStatus().getMembers().size() == 3 && replaced.isPresent()
                && !oldId.equals(replaced.get().getId()) && Boolean.TRUE.equals(replaced.get().getHealthy())
                && !Boolean.TRUE.equals(replaced.get().getLearner());
          });
      LOG.info("replaced {} in {} ms", VICTIM, Duration.between(lost, Instant.now()).toMillis());
    });
    try (Client replaced = scenario.memberClient(NAME, 1)) {
      assertThat(writer.missing(replaced)).as("writes the replaced member lacks").isEmpty();
    }
    assertRunsOnALiveClaim(scenario, NAME, VICTIM);
    List<String> reasons = scenario.eventReasons(NAME);
    assertThat(reasons).contains("MemberRemoved", "MemberRecreated", "MemberAdded", "MemberPromoted");
  }

  /**
   * The same loss while no operator runs: the StatefulSet brings the pod back on an empty claim, etcd lets it rejoin
   * under its old ID, and it answers healthy by the time an operator starts. It is replaced all the same.
   */
  @Test
  void aMemberWipedWhileTheOperatorIsDownIsStillReplaced(Scenario scenario) {
    String name = "wiped";
    String victim = name + "-1";
    scenario.apply(scenario.tlsCluster(name, 3));
    scenario.awaitReady(name);
    await("the claim of each member recorded").atMost(Duration.ofSeconds(30))
        .until(() -> scenario.get(name).getStatus().getMembers().stream()
            .allMatch(m -> m.getVolumeClaimUID() != null));
    String oldId = member(scenario.get(name), victim).orElseThrow().getId();

    scenario.stopOperator();
    try {
      scenario.deleteClaim("data-" + victim);
      scenario.deletePod(victim);
      await(victim + " back on a new claim and serving").atMost(Duration.ofMinutes(1)).until(() -> {
        var pod = scenario.kube().pods().inNamespace(scenario.namespace()).withName(victim).get();
        return pod != null && pod.getStatus() != null && pod.getStatus().getConditions() != null
            && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
      });
    } finally {
      scenario.startOperator();
    }
    scenario.awaitCluster(name, victim + " replaced: a new member id, healthy, Ready", Duration.ofMinutes(2),
        etcd -> {
          Optional<MemberStatus> replaced = member(etcd, victim);
          return Scenario.hasCondition(etcd, "Ready", "True") && etcd.getStatus().getMembers().size() == 3
              && replaced.isPresent() && !oldId.equals(replaced.get().getId())
              && Boolean.TRUE.equals(replaced.get().getHealthy());
        });
    assertRunsOnALiveClaim(scenario, name, victim);
  }

  /**
   * emptyDir lives and dies with the pod: a deleted pod comes back empty, and etcd lets it rejoin under its old ID.
   * Nothing about a claim changed, yet the member is replaced, and no acknowledged write is missing from it.
   */
  @Test
  void anEmptyDirMemberWhosePodIsDeletedIsReplaced(Scenario scenario) {
    String name = "scratch";
    String victim = name + "-1";
    EtcdCluster cluster = scenario.tlsCluster(name, 3);
    StorageSpec storage = new StorageSpec();
    storage.setEmptyDir(new StorageSpec.EmptyDirStorage());
    cluster.getSpec().setStorage(storage);
    scenario.apply(cluster);
    scenario.awaitReady(name);
    await("the pod of each member recorded").atMost(Duration.ofSeconds(30))
        .until(() -> scenario.get(name).getStatus().getMembers().stream().allMatch(m -> m.getPodUID() != null));
    String oldId = member(scenario.get(name), victim).orElseThrow().getId();

    AcknowledgedWriter writer = Traffic.around(scenario, name, () -> {
      scenario.deletePod(victim);
      scenario.awaitCluster(name, victim + " replaced: a new member id, healthy, Ready", Duration.ofMinutes(2),
          etcd -> {
            Optional<MemberStatus> replaced = member(etcd, victim);
            return Scenario.hasCondition(etcd, "Ready", "True") && etcd.getStatus().getMembershipChange() == null
                && etcd.getStatus().getMembers().size() == 3 && replaced.isPresent()
                && !oldId.equals(replaced.get().getId()) && Boolean.TRUE.equals(replaced.get().getHealthy())
                && !Boolean.TRUE.equals(replaced.get().getLearner());
          });
    });
    try (Client replaced = scenario.memberClient(name, 1)) {
      assertThat(writer.missing(replaced)).as("writes the replaced member lacks").isEmpty();
    }
    assertThat(scenario.eventReasons(name)).contains("MemberRemoved", "MemberAdded", "MemberPromoted");
  }

  /**
   * The replaced member's pod runs on a claim that stays: not one on its way out, which would take the member's data
   * with it at the pod's next restart (the pod on the stale claim must have been recreated, not reused).
   */
  private static void assertRunsOnALiveClaim(Scenario scenario, String cluster, String member) {
    var claim = scenario.kube().persistentVolumeClaims().inNamespace(scenario.namespace()).withName("data-" + member)
        .get();
    assertThat(claim).as("claim of " + member).isNotNull();
    assertThat(claim.getMetadata().getDeletionTimestamp()).as("claim of " + member + " being deleted at").isNull();
    assertThat(member(scenario.get(cluster), member).orElseThrow().getVolumeClaimUID())
        .as("claim of " + member + " the status records").isEqualTo(claim.getMetadata().getUid());
  }

  private static Optional<MemberStatus> member(EtcdCluster etcd, String name) {
    return etcd.getStatus().getMembers().stream().filter(m -> name.equals(m.getName())).findFirst();
  }
}
