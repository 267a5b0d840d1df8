package dev.etcdoperator.cluster.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.cluster.model.MembershipAction;
import dev.etcdoperator.cluster.model.MembershipFacts;
import dev.etcdoperator.etcd.EtcdMember;
import dev.etcdoperator.resources.ClusterNames;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
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

/** From members, their pods' revisions and health to the one next rollout step. */
class RolloutPlannerTest {
  private static final ClusterNames NAMES = new ClusterNames("main", "db");
  private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
  private static final Duration DEADLINE = Duration.ofMinutes(10);
  private static final String OLD = "main-aaa";
  private static final String NEW = "main-bbb";

  /** Voters 0..n-1, all healthy, pods on the old revision, main-0 leading, the StatefulSet wanting the new one. */
  private static final class Observed {
    final int size;
    final Set<Long> healthy = new HashSet<>();
    final Set<Integer> failing = new HashSet<>();
    final Set<Integer> learners = new HashSet<>();
    final Map<Integer, RolloutFacts.MemberPod> pods = new HashMap<>();
    long leader = id(0);
    boolean current = true;
    Optional<String> revision = Optional.of(NEW);

    Observed(int size) {
      this.size = size;
      IntStream.range(0, size).forEach(i -> {
        healthy.add(id(i));
        pods.put(i, pod(i, OLD, Duration.ofHours(1)));
      });
    }

    Observed updated(int ordinal, Duration ago) {
      pods.put(ordinal, pod(ordinal, NEW, ago));
      return this;
    }

    Observed notReady(int ordinal) {
      RolloutFacts.MemberPod pod = pods.get(ordinal);
      pods.put(ordinal, new RolloutFacts.MemberPod(pod.uid(), pod.revision(), pod.created(), pod.image(),
          Optional.empty()));
      return this;
    }

    Observed unhealthy(int ordinal) {
      healthy.remove(id(ordinal));
      return this;
    }

    /** The pod has not been Ready for long and keeps restarting. */
    Observed failing(int ordinal) {
      failing.add(ordinal);
      return unhealthy(ordinal);
    }

    /** The member is a learner that has not started (etcd knows no name for it). */
    Observed unstartedLearner(int ordinal) {
      learners.add(ordinal);
      return unhealthy(ordinal);
    }

    Observed withoutPod(int ordinal) {
      pods.remove(ordinal);
      return this;
    }

    Observed leader(int ordinal) {
      leader = id(ordinal);
      return this;
    }

    Observed controllerBehind() {
      current = false;
      return this;
    }

    Observed noRevision() {
      revision = Optional.empty();
      return this;
    }

    MembershipFacts members() {
      List<EtcdMember> members = IntStream.range(0, size).mapToObj(i -> new EtcdMember(id(i),
          learners.contains(i) ? "" : NAMES.podName(i), List.of(URI.create(NAMES.peerUrl(i, "https"))), List.of(),
          learners.contains(i))).toList();
      Map<Long, URI> endpoints = IntStream.range(0, size).boxed()
          .collect(Collectors.toMap(RolloutPlannerTest::id, RolloutPlannerTest::client));
      return new MembershipFacts(NAMES, members, healthy, Optional.of(leader), endpoints, new TreeMap<>(),
          failing, Set.of(), new TreeMap<>(), size, Map.of(), Map.of(), Optional.empty(), Duration.ofMinutes(5));
    }

    RolloutFacts rollout() {
      return new RolloutFacts(revision, current, "etcd:v3.6.5", pods, DEADLINE, NOW);
    }
  }

  private static RolloutFacts.MemberPod pod(int ordinal, String revision, Duration ago) {
    return new RolloutFacts.MemberPod("uid-" + ordinal + "-" + revision, revision, NOW.minus(ago),
        revision.equals(NEW) ? "etcd:v3.6.5" : "etcd:v3.6.4", Optional.of(NOW.minus(ago)));
  }

  private static long id(int ordinal) {
    return 0x100L + ordinal;
  }

  private static URI client(int ordinal) {
    return URI.create("https://" + NAMES.memberPeerHost(ordinal) + ":2379");
  }

  private static Optional<ClusterStep> restart(int ordinal, int updated, int of) {
    return Optional.of(new ClusterStep.RestartMember(NAMES.podName(ordinal), "uid-" + ordinal + "-" + OLD,
        Reason.ROLLING_OUT, "restarting main-" + ordinal + " (image etcd:v3.6.4 -> etcd:v3.6.5; revision " + NEW
            + "; " + updated + " of " + of + " members updated)"));
  }

  static Stream<Arguments> cases() {
    Duration poll = RolloutPlanner.POLL;
    return Stream.of(
        Arguments.of("no revision known yet: nothing to roll", new Observed(3).noRevision(), Optional.empty()),
        Arguments.of("every pod on the current revision: done",
            new Observed(3).updated(0, Duration.ofHours(1)).updated(1, Duration.ofHours(1))
                .updated(2, Duration.ofHours(1)), Optional.empty()),
        Arguments.of("the StatefulSet controller has not seen the template yet", new Observed(3).controllerBehind(),
            Optional.of(new ClusterStep.Wait(poll, Reason.ROLLING_OUT, "waiting for the StatefulSet controller to "
                + "take the new pod template"))),
        Arguments.of("followers first, highest ordinal first", new Observed(3), restart(2, 0, 3)),
        Arguments.of("then the next follower", new Observed(3).updated(2, Duration.ofMinutes(1)), restart(1, 1, 3)),
        Arguments.of("an outdated unhealthy member goes first", new Observed(3).unhealthy(1), restart(1, 0, 3)),
        Arguments.of("a restarted member must be healthy before the next",
            new Observed(3).updated(2, Duration.ofSeconds(20)).unhealthy(2),
            Optional.of(new ClusterStep.Wait(poll, Reason.ROLLING_OUT, "waiting for main-2 to become healthy after "
                + "its restart (the rollout stalls at 2026-11-21T12:09:40Z if it is not)"))),
        Arguments.of("a restarted member unhealthy past the deadline stalls the rollout",
            new Observed(3).updated(2, Duration.ofMinutes(11)).unhealthy(2),
            Optional.of(new ClusterStep.Halt(Reason.ROLLOUT_STALLED, "main-2 has not become healthy within 600s of "
                + "its restart on the new pod template (image etcd:v3.6.5); no other member is touched. Fix the "
                + "spec to resume: the member is restarted first"))),
        Arguments.of("no pod is deleted while another member is unhealthy",
            new Observed(3).withoutPod(1).unhealthy(1),
            Optional.of(new ClusterStep.Wait(poll, Reason.ROLLING_OUT, "restarting main-2 waits until every other "
                + "member is healthy; not healthy: main-1"))),
        Arguments.of("a healthy member whose pod is being deleted (a node drain evicts it) holds the restart",
            new Observed(3).withoutPod(1),
            Optional.of(new ClusterStep.Wait(poll, Reason.ROLLING_OUT, "restarting main-2 waits until the pods of "
                + "main-1 are back: they are being deleted or are missing (a node drain, an eviction), and the "
                + "member goes down with them"))),
        Arguments.of("the leader goes last, after handing leadership to an updated member",
            new Observed(3).updated(1, Duration.ofMinutes(2)).updated(2, Duration.ofMinutes(1)),
            Optional.of(new ClusterStep.ChangeMembership(new MembershipAction.MoveLeader("main-0", client(0), id(1),
                "main-1"), Reason.ROLLING_OUT, "moving leadership from main-0 to main-1 before restarting main-0"))),
        Arguments.of("once it no longer leads, the last member restarts",
            new Observed(3).updated(1, Duration.ofMinutes(2)).updated(2, Duration.ofMinutes(1)).leader(1),
            restart(0, 2, 3)),
        Arguments.of("a restarted member Ready for less than the settle time holds the next restart until it is up",
            new Observed(3).updated(2, Duration.ofSeconds(3)),
            Optional.of(new ClusterStep.Wait(Duration.ofSeconds(2), Reason.ROLLING_OUT, "restarting main-1 waits until main-2 has "
                + "been Ready for 5s, so that clients reconnect to it"))),
        Arguments.of("a restarted member not Ready yet holds the next restart too",
            new Observed(3).updated(2, Duration.ofMinutes(1)).notReady(2),
            Optional.of(new ClusterStep.Wait(poll, Reason.ROLLING_OUT, "restarting main-1 waits until main-2 has "
                + "been Ready for 5s, so that clients reconnect to it"))),
        Arguments.of("a single member just restarts", new Observed(1), restart(0, 0, 1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void choosesTheNextRolloutStep(String description, Observed observed, Optional<ClusterStep> expected) {
    assertThat(RolloutPlanner.plan(observed.members(), observed.rollout())).isEqualTo(expected);
  }

  /** A pod that keeps failing where no healthy member runs its revision: the template may be at fault. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("unprovenTemplates")
  void failingPodsOnARevisionNoHealthyMemberRunsAreTheRolloutsToHandle(String description, Observed observed,
      Set<Integer> expected) {
    assertThat(RolloutPlanner.failingOnUnprovenTemplate(observed.members(), observed.rollout())).isEqualTo(expected);
  }

  static Stream<Arguments> unprovenTemplates() {
    return Stream.of(
        Arguments.of("restarted onto the new template, the others still on the old one",
            new Observed(3).updated(2, Duration.ofMinutes(6)).failing(2), Set.of(2)),
        Arguments.of("on the template the healthy members run too: the member's own problem",
            new Observed(3).failing(2), Set.of()),
        Arguments.of("a healthy member already runs the new template",
            new Observed(3).updated(1, Duration.ofMinutes(20)).updated(2, Duration.ofMinutes(6)).failing(2),
            Set.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stuckLearners")
  void aLearnerThatHasNotStartedOnAnOlderTemplateIsRestartedOntoTheCurrentOne(String description, Observed observed,
      Optional<ClusterStep> expected) {
    assertThat(RolloutPlanner.restartStuckLearner(observed.members(), observed.rollout())).isEqualTo(expected);
  }

  static Stream<Arguments> stuckLearners() {
    return Stream.of(
        Arguments.of("on the old template", new Observed(4).unstartedLearner(3),
            Optional.of(new ClusterStep.RestartMember("main-3", "uid-3-" + OLD, Reason.ROLLING_OUT, "restarting "
                + "learner main-3, which has not started on its pod, onto the current pod template (revision "
                + NEW + ")"))),
        Arguments.of("already on the current template: it is waited for",
            new Observed(4).unstartedLearner(3).updated(3, Duration.ofMinutes(1)), Optional.empty()),
        Arguments.of("before the StatefulSet controller took the template",
            new Observed(4).unstartedLearner(3).controllerBehind(), Optional.empty()));
  }
}
