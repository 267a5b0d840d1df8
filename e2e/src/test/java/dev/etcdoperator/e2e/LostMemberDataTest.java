package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.MemberStatus;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

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
  private static final Duration MAX_OUTAGE = Duration.ofSeconds(5);

  @Test
  void aMemberWhoseClaimAndPodAreDeletedIsReplacedAutomatically(Scenario scenario) {
    scenario.apply(scenario.tlsCluster(NAME, 3));
    scenario.awaitReady(NAME);
    await("the claim of each member recorded").atMost(Duration.ofSeconds(30))
        .until(() -> scenario.get(NAME).getStatus().getMembers().stream()
            .allMatch(m -> m.getVolumeClaimUID() != null));
    String oldId = member(scenario.get(NAME), VICTIM).orElseThrow().getId();

    try (Client client = scenario.serviceClient(NAME); Client probeClient = scenario.serviceClient(NAME)) {
      Scenario.writeKeys(client, "/probe/", 1);
      try (AvailabilityProbe probe = new AvailabilityProbe(probeClient, "/probe/00000", "value-0").start();
          AcknowledgedWriter writer = new AcknowledgedWriter(client, "/written/").start()) {
        Instant start = Instant.now();
        await("probe and writer running").atMost(Duration.ofSeconds(10))
            .until(() -> probe.successesSince(start) >= 5 && writer.acknowledgedCount() >= 5);

        Instant lost = Instant.now();
        scenario.deleteClaim("data-" + VICTIM);
        scenario.deletePod(VICTIM);

        await(VICTIM + " replaced: a new member id, healthy, Ready").atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(250))
            .conditionEvaluationListener(c -> {
              if (!c.isSatisfied() && c.getRemainingTimeInMS() < 300) {
                System.err.println("status at timeout: " + scenario.kube().getKubernetesSerialization()
                    .asYaml(scenario.get(NAME).getStatus()));
              }
            })
            .until(() -> {
              EtcdCluster etcd = scenario.get(NAME);
              Optional<MemberStatus> replaced = member(etcd, VICTIM);
              return Scenario.hasCondition(etcd, "Ready", "True") && etcd.getStatus().getMembershipChange() == null
                  && etcd.getStatus().getMembers().size() == 3 && replaced.isPresent()
                  && !oldId.equals(replaced.get().getId()) && Boolean.TRUE.equals(replaced.get().getHealthy())
                  && !Boolean.TRUE.equals(replaced.get().getLearner());
            });
        Duration healed = Duration.between(lost, Instant.now());
        int written = writer.acknowledgedCount();
        await("writes go on").atMost(Duration.ofSeconds(10)).until(() -> writer.acknowledgedCount() > written + 5);
        writer.close();
        probe.close();

        System.out.printf("replaced %s in %d ms; %d writes acknowledged, %d failed; probe %d reads, %d failed, "
            + "longest outage %d ms%n", VICTIM, healed.toMillis(), writer.acknowledgedCount(), writer.failedCount(),
            probe.reads().size(), probe.failures().size(), probe.longestOutage().toMillis());
        assertThat(probe.longestOutage()).as("failed reads: %s", probe.failures()).isLessThan(MAX_OUTAGE);
        assertThat(writer.missing(client)).as("acknowledged writes lost").isEmpty();
        try (Client replaced = scenario.memberClient(NAME, 1)) {
          assertThat(writer.missing(replaced)).as("writes the replaced member lacks").isEmpty();
        }
      }
    }
    List<String> reasons = scenario.kube().v1().events().inNamespace(scenario.namespace()).list().getItems()
        .stream().filter(e -> NAME.equals(e.getInvolvedObject().getName())).map(Event::getReason).toList();
    assertThat(reasons).contains("MemberRemoved", "MemberRecreated", "MemberAdded", "MemberPromoted");
  }

  private static Optional<MemberStatus> member(EtcdCluster etcd, String name) {
    return etcd.getStatus().getMembers().stream().filter(m -> name.equals(m.getName())).findFirst();
  }
}
