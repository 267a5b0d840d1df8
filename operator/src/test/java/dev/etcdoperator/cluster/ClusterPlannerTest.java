package dev.etcdoperator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.cluster.model.MembershipAction;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import dev.etcdoperator.cluster.model.MembershipFacts;
import dev.etcdoperator.cluster.rollout.RolloutFacts;
import dev.etcdoperator.etcd.EtcdMember;
import dev.etcdoperator.resources.ClusterNames;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClusterPlannerTest {
  private static final HasMetadata CONFIG =
      new ConfigMapBuilder().withNewMetadata().withName("main-config").endMetadata().build();
  private static final HasMetadata PEER =
      new ServiceBuilder().withNewMetadata().withName("main-peer").endMetadata().build();
  private static final List<HasMetadata> DRIFTED = List.of(CONFIG, PEER);
  private static final List<String> NO_PROBLEMS = List.of();
  private static final List<String> TWO_PROBLEMS =
      List.of("spec.replicas must be 1, 3, 5, 7 or 9, got 4", "set exactly one of spec.storage.size or spec.storage.emptyDir");

  static Stream<Arguments> cases() {
    return Stream.of(
        // Invalid spec wins over everything else, and every problem is in the message.
        Arguments.of("invalid spec beats pause, drift and waiting",
            new ClusterPlanner.Input(TWO_PROBLEMS, true, DRIFTED, true, false, 3, 0),
            new ClusterStep.Halt(Reason.INVALID_SPEC,
                "spec.replicas must be 1, 3, 5, 7 or 9, got 4; set exactly one of spec.storage.size or "
                    + "spec.storage.emptyDir")),
        Arguments.of("one problem is the whole message",
            new ClusterPlanner.Input(List.of("bad version"), false, List.of(), false, true, 3, 3),
            new ClusterStep.Halt(Reason.INVALID_SPEC, "bad version")),
        // Paused halts before anything is applied.
        Arguments.of("paused beats drift",
            new ClusterPlanner.Input(NO_PROBLEMS, true, DRIFTED, true, false, 3, 0),
            new ClusterStep.Halt(Reason.PAUSED, "reconciliation is paused: no changes are made")),
        Arguments.of("paused on a healthy cluster",
            new ClusterPlanner.Input(NO_PROBLEMS, true, List.of(), false, true, 3, 3),
            new ClusterStep.Halt(Reason.PAUSED, "reconciliation is paused: no changes are made")),
        // Drift: create when something is missing, update otherwise.
        Arguments.of("missing objects are created, in the order given",
            new ClusterPlanner.Input(NO_PROBLEMS, false, DRIFTED, true, false, 3, 0),
            new ClusterStep.ApplyObjects(DRIFTED, Reason.CREATING_RESOURCES)),
        Arguments.of("drifted objects are updated",
            new ClusterPlanner.Input(NO_PROBLEMS, false, List.of(PEER), false, true, 3, 3),
            new ClusterStep.ApplyObjects(List.of(PEER), Reason.UPDATING_RESOURCES)),
        Arguments.of("drift beats waiting for the cluster to form",
            new ClusterPlanner.Input(NO_PROBLEMS, false, List.of(CONFIG), false, false, 3, 1),
            new ClusterStep.ApplyObjects(List.of(CONFIG), Reason.UPDATING_RESOURCES)),
        // Not formed: wait for bootstrap; before any pod is Ready (which takes a formed cluster), for that pod's event.
        Arguments.of("not formed with no pod ready waits for a pod's readiness, not on a short poll",
            new ClusterPlanner.Input(NO_PROBLEMS, false, List.of(), false, false, 3, 0),
            new ClusterStep.Wait(Duration.ofSeconds(10), Reason.BOOTSTRAPPING,
                "waiting for the members to form the cluster (0/3 pods ready)")),
        Arguments.of("not formed waits for bootstrap",
            new ClusterPlanner.Input(NO_PROBLEMS, false, List.of(), false, false, 3, 1),
            new ClusterStep.Wait(ClusterPlanner.BOOTSTRAP_POLL, Reason.BOOTSTRAPPING,
                "waiting for the members to form the cluster (1/3 pods ready)")),
        Arguments.of("not formed even with all pods ready",
            new ClusterPlanner.Input(NO_PROBLEMS, false, List.of(), false, false, 3, 3),
            new ClusterStep.Wait(ClusterPlanner.BOOTSTRAP_POLL, Reason.BOOTSTRAPPING,
                "waiting for the members to form the cluster (3/3 pods ready)")),
        // Formed but pods not all ready.
        Arguments.of("formed with fewer ready pods waits for pods",
            new ClusterPlanner.Input(NO_PROBLEMS, false, List.of(), false, true, 5, 4),
            new ClusterStep.Wait(Duration.ofSeconds(10), Reason.WAITING_FOR_PODS, "4/5 member pods ready")),
        Arguments.of("formed with no ready pod waits for pods",
            new ClusterPlanner.Input(NO_PROBLEMS, false, List.of(), false, true, 1, 0),
            new ClusterStep.Wait(Duration.ofSeconds(10), Reason.WAITING_FOR_PODS, "0/1 member pods ready")),
        // Done.
        Arguments.of("formed with every pod ready is done",
            new ClusterPlanner.Input(NO_PROBLEMS, false, List.of(), false, true, 3, 3),
            new ClusterStep.Done()),
        Arguments.of("more ready pods than desired (scale-down in progress) is done",
            new ClusterPlanner.Input(NO_PROBLEMS, false, List.of(), false, true, 3, 5),
            new ClusterStep.Done()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void choosesOneStep(String description, ClusterPlanner.Input input, ClusterStep expected) {
    assertThat(ClusterPlanner.plan(input)).isEqualTo(expected);
  }

  /**
   * A member the rollout restarted onto a template that makes it crash keeps failing for more than five minutes: it is
   * left to the rollout (which waits, and stops at its deadline) and never replaced, which would delete its volume and
   * bring it back as a learner on the same template.
   */
  @Test
  void aMemberTheRolloutRestartedAndThatKeepsFailingIsNotReplaced() {
    Instant now = Instant.parse("2026-12-03T12:00:00Z");
    ClusterNames names = new ClusterNames("main", "db");
    List<EtcdMember> members = IntStream.range(0, 3).mapToObj(i -> new EtcdMember(0x100L + i, names.podName(i),
        List.of(URI.create(names.peerUrl(i, "https"))), List.of(), false)).toList();
    MembershipFacts facts = new MembershipFacts(names, members, Set.of(0x100L, 0x101L), Optional.of(0x100L),
        Map.of(0x100L, URI.create("https://a:2379"), 0x101L, URI.create("https://b:2379")),
        new TreeMap<>(Map.of(0, "uid-0", 1, "uid-1", 2, "uid-2")), Set.of(2), Set.of(),
        new TreeMap<>(Map.of(2, new MembershipFacts.MemberClaim("data-main-2", "claim-2"))), 3,
        Map.of("main-2", "claim-2"), Map.of(), Optional.empty(), Duration.ofMinutes(5));
    RolloutFacts rollout = new RolloutFacts(Optional.of("new"), true, "etcd:v3.6.5", Map.of(
        0, new RolloutFacts.MemberPod("uid-0", "old", now.minus(Duration.ofHours(1)), "etcd:v3.5.21",
            Optional.of(now.minus(Duration.ofHours(1)))),
        1, new RolloutFacts.MemberPod("uid-1", "old", now.minus(Duration.ofHours(1)), "etcd:v3.5.21",
            Optional.of(now.minus(Duration.ofHours(1)))),
        2, new RolloutFacts.MemberPod("uid-2", "new", now.minus(Duration.ofMinutes(7)), "etcd:v3.6.5",
            Optional.empty())), Duration.ofMinutes(10), now);
    ClusterPlanner.Input input = new ClusterPlanner.Input(NO_PROBLEMS, false, List.of(), false, true, 3, 2,
        Optional.empty(), Optional.empty(), Optional.of(facts), false, "https", Optional.of(rollout), Optional.empty(),
        false);

    assertThat(ClusterPlanner.plan(input)).isEqualTo(new ClusterStep.Wait(Duration.ofSeconds(1), Reason.ROLLING_OUT,
        "waiting for main-2 to become healthy after its restart (the rollout stalls at "
            + now.plus(Duration.ofMinutes(3)) + " if it is not)"));
  }

  /**
   * Recording the formation (the bootstrap ConfigMap's state) changes nothing a member runs: once it is written, a
   * cluster whose members are all ready reports Ready in the same reconcile instead of after another one.
   */
  @Test
  void aFormedClusterThatOnlyRecordedItsFormationIsDoneOnceTheRecordIsWritten() {
    ClusterPlanner.Input formed = new ClusterPlanner.Input(NO_PROBLEMS, false, List.of(CONFIG), false, true, 3, 3);
    ClusterStep.ApplyObjects record = (ClusterStep.ApplyObjects) ClusterPlanner.plan(formed);

    assertThat(ClusterPlanner.afterApplying(record, formed)).isEqualTo(new ClusterStep.Done());
    // Still waiting for pods: the wait is what the status says, not the apply.
    ClusterPlanner.Input podsLeft = new ClusterPlanner.Input(NO_PROBLEMS, false, List.of(CONFIG), false, true, 3, 2);
    assertThat(ClusterPlanner.afterApplying(record, podsLeft)).isEqualTo(new ClusterStep.Wait(
        ClusterPlanner.PODS_POLL, Reason.WAITING_FOR_PODS, "2/3 member pods ready"));
  }

  /**
   * A scale out first writes the PodDisruptionBudget for the new size (a record no member runs on); the learner's add
   * follows in the same reconcile, not after another round trip through the API server and another look at etcd.
   */
  @Test
  void aBudgetWrittenForAScaleOutIsFollowedByTheLearnersAdd() {
    ClusterNames names = new ClusterNames("main", "db");
    EtcdMember solo = new EtcdMember(0x100L, names.podName(0), List.of(URI.create(names.peerUrl(0, "https"))),
        List.of(), false);
    MembershipFacts facts = new MembershipFacts(names, List.of(solo), Set.of(0x100L), Optional.of(0x100L),
        Map.of(0x100L, URI.create("https://a:2379")), new TreeMap<>(Map.of(0, "uid-0")), Set.of(), Set.of(),
        new TreeMap<>(Map.of(0, new MembershipFacts.MemberClaim("data-main-0", "claim-0"))), 1,
        Map.of("main-0", "claim-0"), Map.of(), Optional.empty(), Duration.ofMinutes(5));
    HasMetadata budget = new PodDisruptionBudgetBuilder().withNewMetadata().withName("main").endMetadata().build();
    ClusterPlanner.Input scaleOut = new ClusterPlanner.Input(NO_PROBLEMS, false, List.of(budget), false, true, 3, 1,
        Optional.empty(), Optional.empty(), Optional.of(facts), false, "https", Optional.empty(), Optional.empty(),
        false);
    ClusterStep.ApplyObjects applied = (ClusterStep.ApplyObjects) ClusterPlanner.plan(scaleOut);

    assertThat(applied.objects()).containsExactly(budget);
    assertThat(ClusterPlanner.afterApplying(applied, scaleOut)).isEqualTo(new ClusterStep.ChangeMembership(
        new MembershipAction.AddLearner("main-1", URI.create(names.peerUrl(1, "https"))), Reason.SCALING_OUT,
        "adding main-1 as a learner (1 voting member)"));
  }

  @Test
  void anApplyOfAnythingMembersRunOnIsReportedAsTheStepItIs() {
    ClusterPlanner.Input withService = new ClusterPlanner.Input(NO_PROBLEMS, false, DRIFTED, false, true, 3, 3);
    ClusterStep.ApplyObjects applied = (ClusterStep.ApplyObjects) ClusterPlanner.plan(withService);

    assertThat(ClusterPlanner.afterApplying(applied, withService)).isSameAs(applied);
  }

  @Test
  void aRecordWrittenWhileSomethingElseIsDueIsReportedAsTheApply() {
    // The plan without the record is neither done nor a wait (a halt here): the next reconcile reports it.
    ClusterPlanner.Input halted = new ClusterPlanner.Input(List.of("bad version"), false, List.of(CONFIG), false,
        true, 3, 3);
    ClusterStep.ApplyObjects record = new ClusterStep.ApplyObjects(List.of(CONFIG), Reason.UPDATING_RESOURCES);

    assertThat(ClusterPlanner.afterApplying(record, halted)).isSameAs(record);
  }
}
