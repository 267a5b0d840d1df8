package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.resources.ClusterLabels;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scaling a running cluster out and back in (3 → 5 → 3, 1 → 3 → 1) while an application writes throughout and a
 * probe reads every 100 ms: one member at a time (learner, then promotion; removal highest ordinal first), every
 * acknowledged write kept, no outage longer than a leader election, and nothing of a removed member left behind.
 */
@ClassTemplate
@ExtendWith(Backends.class)
class ScaleOutAndInTest {
  private static final Logger LOG = LoggerFactory.getLogger(ScaleOutAndInTest.class);
  private static final Duration PER_MEMBER = Duration.ofSeconds(60);
  private static final Duration CLAIM_GONE = Duration.ofSeconds(60);

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
    Traffic.around(scenario, name, () -> {
      Instant outStarted = Instant.now();
      resize(scenario, name, to);
      Duration out = Duration.between(outStarted, Instant.now());
      // The member to go first leads: the operator must hand leadership over before removing it.
      scenario.makeLeader(name, to - 1);
      Instant inStarted = Instant.now();
      resize(scenario, name, from);
      LOG.info("{}: {} -> {} in {} ms, back in {} ms", name, from, to, out.toMillis(),
          Duration.between(inStarted, Instant.now()).toMillis());
    });

    List<String> reasons = scenario.eventReasons(name);
    int steps = to - from;
    assertThat(reasons).as("events").filteredOn("MemberAdded"::equals).hasSize(steps);
    assertThat(reasons).filteredOn("MemberPromoted"::equals).hasSize(steps);
    assertThat(reasons).filteredOn("MemberRemoved"::equals).hasSize(steps);
    assertThat(reasons).filteredOn("LeaderMoved"::equals).hasSizeGreaterThanOrEqualTo(1);
    for (int ordinal = from; ordinal < to; ordinal++) {
      String claim = "data-" + name + "-" + ordinal;
      // The operator deletes the claim; the API server keeps it (pvc-protection) until the removed member's pod,
      // which may still be stopping when the cluster is Ready again, has gone.
      await("claim " + claim + " of a removed member, and its data, gone").atMost(CLAIM_GONE)
          .untilAsserted(() -> {
            assertThat(scenario.kube().persistentVolumeClaims().inNamespace(scenario.namespace()).withName(claim)
                .get()).as("claim %s of a removed member", claim).isNull();
            assertThat(scenario.backend().claimDataExists(claim)).as("data of %s", claim).isFalse();
          });
    }
  }

  /** Sets spec.replicas and waits until the cluster is Ready with exactly that many voting members. */
  private static void resize(Scenario scenario, String name, int replicas) {
    scenario.patch(name, c -> {
      c.getSpec().setReplicas(replicas);
      return c;
    });
    scenario.awaitVotingMembers(name, replicas, PER_MEMBER.multipliedBy(3));
    assertThat(scenario.kube().apps().statefulSets().inNamespace(scenario.namespace()).withName(name).get()
        .getSpec().getReplicas()).isEqualTo(replicas);
    // Ready comes once a removed member's pod has begun to stop, not while it still runs.
    assertThat(scenario.kube().pods().inNamespace(scenario.namespace()).withLabels(new ClusterLabels(name).selector())
        .list().getItems()).as("pods not being deleted once Ready at %d members", replicas)
        .filteredOn(p -> p.getMetadata().getDeletionTimestamp() == null)
        .extracting(p -> p.getMetadata().getName()).hasSize(replicas);
  }
}
