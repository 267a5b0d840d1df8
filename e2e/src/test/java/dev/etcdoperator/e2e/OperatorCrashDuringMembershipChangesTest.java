package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.MemberStatus;
import dev.etcdoperator.cluster.model.FaultPoints;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator dies at every fault point of scale-out (1 → 3), scale-in (3 → 1, the member to go leading) and the
 * replacement of a member whose data is gone, each time restarted: it converges, repeats nothing that was done
 * (one MemberAdded per member added, one MemberRemoved per member removed), and an application writing and reading
 * throughout loses no acknowledged write and no more than a leader election's worth of reads.
 */
@ClassTemplate
@ExtendWith(Backends.class)
class OperatorCrashDuringMembershipChangesTest {
  private static final String NAME = "crash";
  private static final Duration REACH = Duration.ofMinutes(1);

  @Test
  void convergesAfterDyingAtEveryFaultPoint(Scenario scenario) {
    scenario.apply(scenario.tlsCluster(NAME, 1));
    scenario.awaitReady(NAME);
    Traffic.around(scenario, NAME, () -> {
      CrashAt learnerAdded = new CrashAt(FaultPoints.LEARNER_ADDED);
      scenario.restartOperator(learnerAdded);
      resize(scenario, 3);
      dieAt(scenario, learnerAdded, FaultPoints.BEFORE_PROMOTE);
      awaitMembers(scenario, 3);

      scenario.makeLeader(NAME, 2);
      CrashAt leaderMoved = new CrashAt(FaultPoints.LEADER_MOVED);
      scenario.restartOperator(leaderMoved);
      resize(scenario, 1);
      dieAt(scenario, leaderMoved, FaultPoints.MEMBER_REMOVED);
      awaitMembers(scenario, 1);

      resize(scenario, 3);
      awaitMembers(scenario, 3);
      String oldId = member(scenario.get(NAME), NAME + "-1").getId();
      CrashAt replacedRemoved = new CrashAt(FaultPoints.REPLACED_MEMBER_REMOVED);
      scenario.restartOperator(replacedRemoved);
      scenario.deleteClaim("data-" + NAME + "-1");
      scenario.deletePod(NAME + "-1");
      dieAt(scenario, replacedRemoved, FaultPoints.MEMBER_RECREATED);
      awaitMembers(scenario, 3);
      assertThat(member(scenario.get(NAME), NAME + "-1").getId()).as("replaced").isNotEqualTo(oldId);
    });
    List<String> reasons = scenario.eventReasons(NAME);
    // 1 -> 3 (two), 3 -> 1 (two), 1 -> 3 (two), then one replacement: never an action repeated after a crash
    assertThat(reasons).filteredOn("MemberAdded"::equals).hasSize(5);
    assertThat(reasons).filteredOn("MemberPromoted"::equals).hasSize(5);
    assertThat(reasons).filteredOn("MemberRemoved"::equals).hasSize(3);
    assertThat(reasons).filteredOn("MemberRecreated"::equals).hasSize(1);
  }

  /**
   * Waits until the running operator reached the armed fault point, kills it there, starts one armed with the next
   * point (a later step of the same change), kills that one there too, then starts a plain operator.
   */
  private static void dieAt(Scenario scenario, CrashAt first, String next) {
    first.awaitReached(REACH);
    CrashAt second = new CrashAt(next);
    scenario.restartOperator(second);
    second.awaitReached(REACH);
    scenario.restartOperator();
  }

  private static void resize(Scenario scenario, int replicas) {
    scenario.patch(NAME, c -> {
      c.getSpec().setReplicas(replicas);
      return c;
    });
  }

  private static void awaitMembers(Scenario scenario, int replicas) {
    scenario.awaitVotingMembers(NAME, replicas, Duration.ofMinutes(2));
  }

  private static MemberStatus member(EtcdCluster etcd, String name) {
    return etcd.getStatus().getMembers().stream().filter(m -> name.equals(m.getName())).findFirst().orElseThrow();
  }
}
