package dev.etcdoperator.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.api.v1alpha1.MembershipChange;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.cluster.model.MembershipAction;
import dev.etcdoperator.cluster.model.MembershipFacts;
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
    final TreeMap<Integer, String> pods = new TreeMap<>();
    final Set<Integer> failing = new HashSet<>();
    final Set<Integer> pending = new HashSet<>();
    final TreeMap<Integer, MembershipFacts.MemberClaim> claims = new TreeMap<>();
    final Map<String, String> recordedClaims = new java.util.HashMap<>();
    final Map<String, String> recordedPods = new java.util.HashMap<>();
    Optional<MembershipChange> intent = Optional.empty();
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
      pods.put(ordinal, "pod-uid-" + ordinal);
      claims.put(ordinal, claim(ordinal, "claim-uid-" + ordinal));
      recordedClaims.put(NAMES.podName(ordinal), "claim-uid-" + ordinal);
      return this;
    }

    /** etcd no longer has the member (removed); its pod and claim stay. */
    Observed withoutMember(int ordinal) {
      members.removeIf(m -> m.id() == id(ordinal));
      return this;
    }

    /** Storage is emptyDir: no claims, and the status records each member's pod as where its data lives. */
    Observed onEmptyDir() {
      claims.clear();
      recordedClaims.clear();
      pods.forEach((ordinal, uid) -> recordedPods.put(NAMES.podName(ordinal), uid));
      return this;
    }

    /** The member's claim was deleted and made anew (another UID): its data is gone. */
    Observed claimRecreated(int ordinal) {
      claims.put(ordinal, claim(ordinal, "new-claim-uid-" + ordinal));
      return this;
    }

    /** No claim the planner counts: it went, or is being deleted (the facts leave those out). */
    Observed withoutClaim(int ordinal) {
      claims.remove(ordinal);
      return this;
    }

    Observed podRecreated(int ordinal) {
      pods.put(ordinal, "new-pod-uid-" + ordinal);
      return this;
    }

    Observed failing(int ordinal) {
      failing.add(ordinal);
      return this;
    }

    /** The member's pod has not started (phase Pending). */
    Observed podPending(int ordinal) {
      pending.add(ordinal);
      return this;
    }

    Observed replacing(int ordinal, String staleClaimUid, String stalePodUid) {
      MembershipChange change = new MembershipChange(MembershipChange.REPLACE_MEMBER, NAMES.podName(ordinal),
          "2026-11-21T10:00:00Z");
      change.setStaleVolumeClaimUID(staleClaimUid);
      change.setStalePodUID(stalePodUid);
      intent = Optional.of(change);
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
      pods.put(ordinal, "pod-uid-" + ordinal);
      return this;
    }

    Observed withClaim(int ordinal) {
      claims.put(ordinal, claim(ordinal, "claim-uid-" + ordinal));
      return this;
    }

    Observed statefulSet(int replicas) {
      statefulSetReplicas = replicas;
      return this;
    }

    MembershipFacts facts() {
      Map<Long, URI> endpoints = members.stream().collect(Collectors.toMap(EtcdMember::id,
          m -> URI.create("https://" + m.peerUrls().get(0).getHost() + ":2379")));
      return new MembershipFacts(NAMES, members, healthy, leader, endpoints, pods, failing, pending, claims,
          statefulSetReplicas, recordedClaims, recordedPods, intent, Duration.ofMinutes(5));
    }
  }

  private static MembershipFacts.MemberClaim claim(int ordinal, String uid) {
    return new MembershipFacts.MemberClaim("data-main-" + ordinal, uid);
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
            Optional.of(new ClusterStep.Wait(poll, Reason.SCALING_OUT,
                "adding main-3 waits until every member is healthy; not healthy: main-2"))),
        Arguments.of("a learner not started yet (no pod) is waited for",
            Observed.voters(3).member(3, true, false).withoutPod(3).unhealthy(3).statefulSet(3), 5, false,
            Optional.of(new ClusterStep.Wait(poll, Reason.SCALING_OUT, "waiting for learner main-3 to start and "
                + "catch up"))),
        Arguments.of("a learner that has not started and is no longer wanted is removed again",
            Observed.voters(3).member(3, true, false).unhealthy(3).statefulSet(4), 3, false,
            Optional.of(change(new MembershipAction.Remove("main-3", id(3)), Reason.SCALING_IN,
                "removing learner main-3, which has not started and is no longer wanted"))),
        Arguments.of("a learner whose pod keeps failing stops the membership with a message",
            Observed.voters(3).member(3, true, false).unhealthy(3).failing(3).statefulSet(4), 5, false,
            Optional.of(new ClusterStep.Halt(Reason.MEMBERSHIP_CHANGE_BLOCKED, "learner main-3 cannot start: its pod "
                + "has not been ready for 5 minutes and keeps restarting. Fix what it fails on (see its pod's log); "
                + "a changed pod template restarts it"))),
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
        // The StatefulSet is scaled down, but has not yet begun to stop the removed member's pod: the scale in is not
        // over (no Ready while the removed member still runs, and no Ready that the claim's deletion takes back).
        Arguments.of("the claim of a removed member waits until its pod stops",
            Observed.voters(3).withClaim(3).withPod(3), 3, false,
            Optional.of(new ClusterStep.Wait(MembershipPlanner.LEARNER_POLL, Reason.SCALING_IN,
                "waiting for the pod of removed member main-3 to stop"))),
        Arguments.of("a retained claim's member pod is waited for too",
            Observed.voters(3).withClaim(3).withPod(3), 3, true,
            Optional.of(new ClusterStep.Wait(MembershipPlanner.LEARNER_POLL, Reason.SCALING_IN,
                "waiting for the pod of removed member main-3 to stop"))),
        Arguments.of("no claim is deleted while the StatefulSet still runs the ordinal",
            Observed.voters(3).withClaim(3).withPod(3).statefulSet(4), 3, false, Optional.empty()),
        // Replacing a broken member: remove, recreate its claim and pod empty, add back, promote.
        Arguments.of("a member whose claim was made anew is removed to be replaced",
            Observed.voters(3).unhealthy(1).claimRecreated(1).podRecreated(1), 3, false,
            Optional.of(change(new MembershipAction.Replace("main-1", id(1), LOST, Optional.of("new-claim-uid-1"),
                Optional.of("new-pod-uid-1")), Reason.REPLACING_MEMBER, "removing main-1 to replace it: " + LOST))),
        Arguments.of("a member whose pod keeps failing is removed to be replaced",
            Observed.voters(3).unhealthy(2).failing(2), 3, false,
            Optional.of(change(new MembershipAction.Replace("main-2", id(2), FAILING, Optional.of("claim-uid-2"),
                Optional.of("pod-uid-2")), Reason.REPLACING_MEMBER, "removing main-2 to replace it: " + FAILING))),
        Arguments.of("an unhealthy member is not replaced for that alone", Observed.voters(3).unhealthy(1), 3, false,
            Optional.empty()),
        Arguments.of("a healthy member is not replaced for a failing pod", Observed.voters(3).failing(1), 3, false,
            Optional.empty()),
        // etcd lets a member with an empty data directory rejoin under its old ID: it answers healthy, yet it lost
        // entries it had acknowledged, and counting it towards a quorum could lose committed writes.
        Arguments.of("a healthy member whose claim was made anew is replaced",
            Observed.voters(3).claimRecreated(1).podRecreated(1), 3, false,
            Optional.of(change(new MembershipAction.Replace("main-1", id(1), LOST, Optional.of("new-claim-uid-1"),
                Optional.of("new-pod-uid-1")), Reason.REPLACING_MEMBER, "removing main-1 to replace it: " + LOST))),
        // Kubernetes may make the pod anew while the old claim is still being deleted; the pod then waits, Pending,
        // for a claim nothing makes again (kubernetes/kubernetes#74374). The data is gone either way.
        Arguments.of("an unhealthy member whose claim is gone while its pod waits is replaced",
            Observed.voters(3).unhealthy(1).withoutClaim(1).podRecreated(1).podPending(1), 3, false,
            Optional.of(change(new MembershipAction.Replace("main-1", id(1), CLAIM_GONE, Optional.empty(),
                Optional.of("new-pod-uid-1")), Reason.REPLACING_MEMBER, "removing main-1 to replace it: "
                    + CLAIM_GONE))),
        // The old pod, stopped, whose deletion the cache does not show yet: the StatefulSet makes the next pod with a
        // claim, and a member on a new claim is replaced by the rule for that (its stale claim recorded).
        Arguments.of("an unhealthy member whose claim is gone while its started pod remains waits",
            Observed.voters(3).unhealthy(1).withoutClaim(1), 3, false, Optional.empty()),
        Arguments.of("a healthy member whose claim is not seen is left alone",
            Observed.voters(3).withoutClaim(1), 3, false, Optional.empty()),
        Arguments.of("without a pod, a member whose claim is gone waits for the StatefulSet to make both",
            Observed.voters(3).unhealthy(1).withoutClaim(1).withoutPod(1), 3, false, Optional.empty()),
        // emptyDir lives and dies with its pod: a new pod is a member without its data, however it came to be.
        Arguments.of("an emptyDir member whose pod was made anew is replaced, healthy or not",
            Observed.voters(3).onEmptyDir().podRecreated(2), 3, false,
            Optional.of(change(new MembershipAction.Replace("main-2", id(2), EMPTY_DIR_LOST, Optional.empty(),
                Optional.of("new-pod-uid-2")), Reason.REPLACING_MEMBER, "removing main-2 to replace it: "
                    + EMPTY_DIR_LOST))),
        Arguments.of("an emptyDir member on the pod it was recorded on is left alone",
            Observed.voters(3).onEmptyDir(), 3, false, Optional.empty()),
        Arguments.of("no replacement that would lose quorum",
            Observed.voters(3).unhealthy(1, 2).claimRecreated(1), 3, false,
            Optional.of(new ClusterStep.Halt(Reason.MEMBERSHIP_CHANGE_BLOCKED, "main-1 must be replaced: " + LOST
                + "; but removing it would leave 1 healthy of 2 voting members, fewer than a quorum of 2"))),
        // A gap in the ordinals: a replacement overtaken by a lower spec.replicas, a member removed by hand.
        Arguments.of("a pending replacement is finished before any scale in",
            Observed.voters(5).withoutMember(1).replacing(1, "claim-uid-1", "pod-uid-1"), 3, false,
            Optional.of(change(new MembershipAction.Recycle("main-1", Optional.of("data-main-1")),
                Reason.REPLACING_MEMBER, "recreating the volume claim and pod of main-1 empty"))),
        Arguments.of("a member removed behind the operator's back is cleared when its ordinal joins again",
            Observed.voters(3).withoutMember(1), 3, false,
            Optional.of(change(new MembershipAction.ClearOrdinal("main-1", Optional.of("claim-uid-1"),
                Optional.of("pod-uid-1")), Reason.REPLACING_MEMBER, "main-1 is no member of etcd, but its pod and "
                + "volume claim remain (a member removed outside the operator): recreating them empty before it "
                + "joins"))),
        Arguments.of("a gap whose claim is retained blocks with the claim's name",
            Observed.voters(3).withoutMember(1), 3, true,
            Optional.of(new ClusterStep.Halt(Reason.MEMBERSHIP_CHANGE_BLOCKED, "volume claim data-main-1 holds the "
                + "data of a removed member, kept because storage.retainOnScaleDown is set; its data is never "
                + "reused: delete the claim to let main-1 join"))),
        Arguments.of("the removed member's old claim and pod are recreated",
            Observed.voters(3).withoutMember(1).replacing(1, "claim-uid-1", "pod-uid-1"), 3, false,
            Optional.of(change(new MembershipAction.Recycle("main-1", Optional.of("data-main-1")),
                Reason.REPLACING_MEMBER, "recreating the volume claim and pod of main-1 empty"))),
        // The pod informer had not seen the pod the StatefulSet had just made when the member was removed: that pod
        // runs on the stale claim all the same, and must go with it.
        Arguments.of("a pod unseen at the removal goes with the stale claim",
            Observed.voters(3).withoutMember(1).replacing(1, "claim-uid-1", null), 3, false,
            Optional.of(change(new MembershipAction.Recycle("main-1", Optional.of("data-main-1")),
                Reason.REPLACING_MEMBER, "recreating the volume claim and pod of main-1 empty"))),
        Arguments.of("without a claim (emptyDir), the old pod alone is recreated",
            Observed.voters(3).withoutMember(1).replacing(1, null, "pod-uid-1"), 3, false,
            Optional.of(change(new MembershipAction.Recycle("main-1", Optional.empty()),
                Reason.REPLACING_MEMBER, "recreating the pod of main-1 empty"))),
        Arguments.of("on a fresh claim and pod the member is added back",
            Observed.voters(3).withoutMember(1).claimRecreated(1).podRecreated(1)
                .replacing(1, "claim-uid-1", "pod-uid-1"), 3, false,
            Optional.of(change(new MembershipAction.AddLearner("main-1", peer(1)), Reason.REPLACING_MEMBER,
                "adding main-1 back as a learner, with empty data"))),
        Arguments.of("it is added back even while another member waits to be repaired",
            Observed.voters(3).withoutMember(1).claimRecreated(1).withoutPod(1).unhealthy(2).failing(2)
                .replacing(1, "claim-uid-1", "pod-uid-1"), 3, false,
            Optional.of(change(new MembershipAction.AddLearner("main-1", peer(1)), Reason.REPLACING_MEMBER,
                "adding main-1 back as a learner, with empty data"))),
        Arguments.of("the member added back is promoted",
            Observed.voters(3).withoutMember(1).member(1, true, true).replacing(1, "claim-uid-1", "pod-uid-1"), 3,
            false, Optional.of(change(new MembershipAction.Promote("main-1", id(1)), Reason.REPLACING_MEMBER,
                "promoting learner main-1 to a voting member"))));
  }

  private static final String LOST = "its data is gone (its volume claim was made anew)";
  private static final String CLAIM_GONE = "its data is gone (its volume claim was deleted)";
  private static final String EMPTY_DIR_LOST = "its data is gone (its pod was made anew, and its storage is emptyDir)";
  private static final String FAILING = "its pod has not been ready for 5 minutes and keeps restarting";

  @org.junit.jupiter.api.Test
  void theStatefulSetKeepsThePodOfAMemberBeingReplaced() {
    MembershipFacts facts = Observed.voters(3).withoutMember(2).replacing(2, "claim-uid-2", "pod-uid-2").facts();
    assertThat(facts.statefulSetReplicasForMembers()).isEqualTo(3);
    assertThat(Observed.voters(3).withoutMember(2).facts().statefulSetReplicasForMembers()).isEqualTo(2);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void choosesTheNextMembershipStep(String description, Observed observed, int desired, boolean retain,
      Optional<ClusterStep> expected) {
    assertThat(MembershipPlanner.plan(observed.facts(), desired, retain, "https")).isEqualTo(expected);
  }
}
