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
import java.util.stream.IntStream;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scaling a running cluster out and back in (3 → 5 → 3, 1 → 3 → 1) while an application writes throughout and a
 * probe reads every 100 ms: one member at a time (learner, then promotion; removal highest ordinal first), every
 * acknowledged write kept, no outage longer than a leader election, and nothing of a removed member left behind.
 */
@ClassTemplate
@ExtendWith(Backends.class)
class ScaleOutAndInTest {
  /** One leader election plus the client's reconnect, with margin. */
  private static final Duration MAX_OUTAGE = Duration.ofSeconds(5);
  private static final Duration PER_MEMBER = Duration.ofSeconds(60);

  @Test
  void threeToFiveToThree(Scenario scenario) {
    scaleOutAndBackIn(scenario, "wide", 3, 5);
  }

  @Test
  void oneToThreeToOne(Scenario scenario) {
    scaleOutAndBackIn(scenario, "solo", 1, 3);
  }

  private static void scaleOutAndBackIn(Scenario scenario, String name, int from, int to) {
    scenario.apply(scenario.tlsCluster(name, from));
    scenario.awaitReady(name);
    try (Client client = scenario.serviceClient(name); Client probeClient = scenario.serviceClient(name)) {
      Scenario.writeKeys(client, "/probe/", 1);
      try (AvailabilityProbe probe = new AvailabilityProbe(probeClient, "/probe/00000", "value-0").start();
          AcknowledgedWriter writer = new AcknowledgedWriter(client, "/written/").start()) {
        Instant start = Instant.now();
        await("probe and writer running").atMost(Duration.ofSeconds(10))
            .until(() -> probe.successesSince(start) >= 5 && writer.acknowledgedCount() >= 5);

        Instant outStarted = Instant.now();
        resize(scenario, name, to);
        Duration out = Duration.between(outStarted, Instant.now());
        // The member to go first leads: the operator must hand leadership over before removing it.
        scenario.makeLeader(name, to - 1);
        Instant inStarted = Instant.now();
        resize(scenario, name, from);
        Duration in = Duration.between(inStarted, Instant.now());
        int written = writer.acknowledgedCount();
        await("writes go on after the scaling").atMost(Duration.ofSeconds(10))
            .until(() -> writer.acknowledgedCount() > written + 5);
        writer.close();
        probe.close();

        System.out.printf("%s: %d -> %d in %d ms, back in %d ms; %d writes acknowledged, %d failed; probe %d reads, "
            + "%d failed, longest outage %d ms%n", name, from, to, out.toMillis(), in.toMillis(),
            writer.acknowledgedCount(), writer.failedCount(), probe.reads().size(), probe.failures().size(),
            probe.longestOutage().toMillis());
        assertThat(probe.longestOutage()).as("longest outage; failed reads: %s", probe.failures())
            .isLessThan(MAX_OUTAGE);
        assertThat(writer.missing(client)).as("acknowledged writes lost").isEmpty();
      }
    }

    List<String> reasons = scenario.kube().v1().events().inNamespace(scenario.namespace()).list().getItems()
        .stream().filter(e -> name.equals(e.getInvolvedObject().getName())).map(Event::getReason).toList();
    int steps = to - from;
    assertThat(reasons).as("events").filteredOn("MemberAdded"::equals).hasSize(steps);
    assertThat(reasons).filteredOn("MemberPromoted"::equals).hasSize(steps);
    assertThat(reasons).filteredOn("MemberRemoved"::equals).hasSize(steps);
    assertThat(reasons).filteredOn("LeaderMoved"::equals).hasSizeGreaterThanOrEqualTo(1);
    for (int ordinal = from; ordinal < to; ordinal++) {
      String claim = "data-" + name + "-" + ordinal;
      assertThat(scenario.kube().persistentVolumeClaims().inNamespace(scenario.namespace()).withName(claim).get())
          .as("claim %s of a removed member", claim).isNull();
      assertThat(scenario.backend().claimDataExists(claim)).as("data of %s", claim).isFalse();
    }
  }

  /** Sets spec.replicas and waits until the cluster is Ready with exactly that many voting members. */
  private static void resize(Scenario scenario, String name, int replicas) {
    scenario.patch(name, c -> {
      c.getSpec().setReplicas(replicas);
      return c;
    });
    await(name + " Ready with " + replicas + " voting members").atMost(PER_MEMBER.multipliedBy(3))
        .pollInterval(Duration.ofMillis(250)).until(() -> {
          EtcdCluster etcd = scenario.get(name);
          return Scenario.hasCondition(etcd, "Ready", "True") && etcd.getStatus().getMembershipChange() == null
              && etcd.getStatus().getMembers().size() == replicas
              && etcd.getStatus().getMembers().stream().noneMatch(m -> Boolean.TRUE.equals(m.getLearner()))
              && etcd.getStatus().getMembers().stream().map(MemberStatus::getName).toList()
                  .equals(IntStream.range(0, replicas).mapToObj(i -> name + "-" + i).toList());
        });
    assertThat(scenario.kube().apps().statefulSets().inNamespace(scenario.namespace()).withName(name).get()
        .getSpec().getReplicas()).isEqualTo(replicas);
  }
}
