package dev.etcdoperator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.etcd.EtcdMember;
import dev.etcdoperator.resources.ClusterNames;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** From observed membership (etcd members, health, leader, pods, claims) to the one next step. */
class MembershipPlannerTest {
  private static final ClusterNames NAMES = new ClusterNames("main", "db");

  /** A cluster as observed: members by ordinal, all healthy with pods and claims unless a case says otherwise. */
  private static final class Observed {
    final List<EtcdMember> members = new ArrayList<>();
    final Set<Long> healthy = new HashSet<>();
    Optional<Long> leader = Optional.of(id(0));
    final Set<Integer> pods = new HashSet<>();
    final TreeMap<Integer, String> claims = new TreeMap<>();
    int statefulSetReplicas;

    static Observed voters(int count) {
      Observed o = new Observed();
      IntStream.range(0, count).forEach(i -> o.member(i, false, true));
      o.statefulSetReplicas = count;
      return o;
    }

    Observed member(int ordinal, boolean learner, boolean started) {
      members.add(new EtcdMember(id(ordinal), started ? NAMES.podName(ordinal) : "",
          List.of(URI.create(NAMES.peerUrl(ordinal, "https"))), List.of(), learner));
      healthy.add(id(ordinal));
      pods.add(ordinal);
      claims.put(ordinal, "data-main-" + ordinal);
      return this;
    }

    Observed unhealthy(int... ordinals) {
      IntStream.of(ordinals).forEach(i -> healthy.remove(id(i)));
      return this;
    }

    Observed leader(int ordinal) {
      leader = Optional.of(id(ordinal));
      return this;
    }

    Observed noLeader() {
      leader = Optional.empty();
      return this;
    }

    Observed withoutPod(int ordinal) {
      pods.remove(ordinal);
      return this;
    }

    Observed withPod(int ordinal) {
      pods.add(ordinal);
      return this;
    }

    Observed withClaim(int ordinal) {
      claims.put(ordinal, "data-main-" + ordinal);
      return this;
    }

    Observed statefulSet(int replicas) {
      statefulSetReplicas = replicas;
      return this;
    }

    MembershipFacts facts() {
      Map<Long, URI> endpoints = members.stream().collect(Collectors.toMap(EtcdMember::id,
          m -> URI.create("https://" + m.peerUrls().get(0).getHost() + ":2379")));
      return new MembershipFacts(NAMES, members, healthy, leader, endpoints, pods, claims, statefulSetReplicas);
    }
  }

  private static long id(int ordinal) {
    return 0x1000L + ordinal;
  }

  private static URI peer(int ordinal) {
    return URI.create(NAMES.peerUrl(ordinal, "https"));
  }

  private static URI client(int ordinal) {
    return URI.create("https://" + NAMES.memberPeerHost(ordinal) + ":2379");
  }

  private static ClusterStep change(MembershipAction action, String reason, String message) {
    return new ClusterStep.ChangeMembership(action, reason, message);
  }

  static Stream<Arguments> cases() {
    Duration poll = MembershipPlanner.LEARNER_POLL;
    return Stream.of(
        // As desired.
        Arguments.of("membership as desired: nothing to do", Observed.voters(3), 3, false, Optional.empty()),
        // Scale out.
        Arguments.of("scale out adds the next ordinal as a learner", Observed.voters(3), 5, false,
            Optional.of(change(new MembershipAction.AddLearner("main-3", peer(3)), Reason.SCALING_OUT,
                "adding main-3 as a learner (3 voting members)"))),
        Arguments.of("scale out from one member", Observed.voters(1), 3, false,
            Optional.of(change(new MembershipAction.AddLearner("main-1", peer(1)), Reason.SCALING_OUT,
                "adding main-1 as a learner (1 voting member)"))),
        Arguments.of("scale out waits until every voter is healthy", Observed.voters(3).unhealthy(2), 5, false,
            Optional.of(new ClusterStep.Halt(Reason.MEMBERSHIP_CHANGE_BLOCKED,
                "adding a member waits until every member is healthy; not healthy: main-2"))),
        Arguments.of("a learner not started yet (no pod) is waited for",
            Observed.voters(3).member(3, true, false).withoutPod(3).unhealthy(3).statefulSet(3), 5, false,
            Optional.of(new ClusterStep.Wait(poll, Reason.SCALING_OUT, "waiting for learner main-3 to start and "
                + "catch up"))),
        Arguments.of("a started learner is promoted", Observed.voters(3).member(3, true, true), 5, false,
            Optional.of(change(new MembershipAction.Promote("main-3", id(3)), Reason.SCALING_OUT,
                "promoting learner main-3 to a voting member"))),
        Arguments.of("a learner is finished before a scale in starts", Observed.voters(3).member(3, true, true), 3,
            false, Optional.of(change(new MembershipAction.Promote("main-3", id(3)), Reason.SCALING_OUT,
                "promoting learner main-3 to a voting member"))),
        Arguments.of("a claim left by a removed member is deleted before its ordinal joins again",
            Observed.voters(3).withClaim(3), 5, false,
            Optional.of(change(new MembershipAction.DeleteClaims("main-3", List.of("data-main-3")),
                Reason.SCALING_OUT, "deleting volume claim data-main-3, left by a removed member, before main-3 "
                    + "joins"))),
        Arguments.of("a retained claim blocks the scale out", Observed.voters(3).withClaim(3), 5, true,
            Optional.of(new ClusterStep.Halt(Reason.MEMBERSHIP_CHANGE_BLOCKED, "volume claim data-main-3 holds the "
                + "data of a removed member, kept because storage.retainOnScaleDown is set; its data is never "
                + "reused: delete the claim to let main-3 join"))),
        Arguments.of("the old pod of the ordinal must go first", Observed.voters(3).withPod(3).statefulSet(4), 5,
            false, Optional.of(new ClusterStep.Wait(poll, Reason.SCALING_OUT, "waiting for the old pod main-3 to "
                + "go before main-3 joins again"))),
        // Scale in.
        Arguments.of("scale in removes the highest ordinal", Observed.voters(5), 3, false,
            Optional.of(change(new MembershipAction.Remove("main-4", id(4)), Reason.SCALING_IN,
                "removing main-4 (5 voting members)"))),
        Arguments.of("scale in moves leadership off the member first", Observed.voters(5).leader(4), 3, false,
            Optional.of(change(new MembershipAction.MoveLeader("main-4", client(4), id(0), "main-0"),
                Reason.SCALING_IN, "moving leadership from main-4 to main-0 before removing main-4"))),
        Arguments.of("leadership goes to a healthy voter", Observed.voters(5).leader(4).unhealthy(0), 3, false,
            Optional.of(change(new MembershipAction.MoveLeader("main-4", client(4), id(1), "main-1"),
                Reason.SCALING_IN, "moving leadership from main-4 to main-1 before removing main-4"))),
        Arguments.of("scale in waits for a leader", Observed.voters(3).noLeader(), 1, false,
            Optional.of(new ClusterStep.Wait(poll, Reason.SCALING_IN, "waiting for a leader before removing main-2"))),
        Arguments.of("scale in that would leave fewer healthy voters than quorum is refused",
            Observed.voters(3).unhealthy(0), 1, false,
            Optional.of(new ClusterStep.Halt(Reason.MEMBERSHIP_CHANGE_BLOCKED, "removing main-2 would leave 1 "
                + "healthy of 2 voting members, fewer than a quorum of 2"))),
        Arguments.of("removing an unhealthy highest member is fine while the rest hold quorum",
            Observed.voters(3).unhealthy(2), 1, false,
            Optional.of(change(new MembershipAction.Remove("main-2", id(2)), Reason.SCALING_IN,
                "removing main-2 (3 voting members)"))),
        Arguments.of("three to one goes one member at a time", Observed.voters(2).statefulSet(3), 1, false,
            Optional.of(change(new MembershipAction.Remove("main-1", id(1)), Reason.SCALING_IN,
                "removing main-1 (2 voting members)"))),
        // What scale in leaves behind.
        Arguments.of("claims of removed members are deleted once their pods are gone",
            Observed.voters(3).withClaim(3).withClaim(4), 3, false,
            Optional.of(change(new MembershipAction.DeleteClaims("main-4", List.of("data-main-3", "data-main-4")),
                Reason.SCALING_IN, "deleting volume claims of removed members: data-main-3, data-main-4"))),
        Arguments.of("retained claims of removed members are kept", Observed.voters(3).withClaim(3), 3, true,
            Optional.empty()),
        Arguments.of("no claim is deleted while the StatefulSet still runs the ordinal",
            Observed.voters(3).withClaim(3).withPod(3).statefulSet(4), 3, false, Optional.empty()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void choosesTheNextMembershipStep(String description, Observed observed, int desired, boolean retain,
      Optional<ClusterStep> expected) {
    assertThat(MembershipPlanner.plan(observed.facts(), desired, retain, "https")).isEqualTo(expected);
  }
}
