package dev.etcdoperator.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.testing.EtcdProcessCluster;
import dev.etcdoperator.testing.EtcdReleases;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The membership calls the operator scales with, on real etcd: a learner is added, refused promotion until it has
 * started and caught up, then promoted; leadership is handed over; the old leader is removed; data survives. On the
 * newest patch of each etcd minor on this machine (3.4 and 3.5).
 */
class EtcdClientMembershipTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  @TempDir
  Path dir;
  private EtcdProcessCluster cluster;
  private EtcdClient etcd;

  @AfterEach
  void stop() {
    if (etcd != null) {
      etcd.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static URI remainingVoter(List<URI> all, URI leaving) {
    return all.stream().filter(u -> !u.equals(leaving)).findFirst().orElseThrow();
  }

  static List<EtcdReleases.Release> releases() {
    return EtcdReleases.available().newestOfEachMinor();
  }

  @ParameterizedTest(name = "etcd {0}")
  @MethodSource("releases")
  void learnerJoinsIsPromotedOnceInSyncTakesOverLeadershipAndTheOldLeaderIsRemoved(EtcdReleases.Release release) {
    cluster = EtcdProcessCluster.builder(dir).binary(release.etcd()).members(3).spares(1).namePrefix("m").start();
    etcd = EtcdClient.connect(EtcdConnection.plain(cluster.clientUrls(), TIMEOUT));
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
        .until(() -> cluster.clientUrls().stream().allMatch(etcd::isHealthy));
    assertThat(etcd.status(cluster.clientUrl(0)).version()).as("the release under test answers")
        .isEqualTo(release.version().toString());
    etcd.put("/before", "scale");

    // etcd refuses member changes (empty) until its leader has been connected to every voter for a few seconds.
    EtcdMember learner = await("member add accepted").atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(500)).until(() -> etcd.addLearner(cluster.clientUrl(0), cluster.peerUrl(3)), Optional::isPresent)
        .orElseThrow();
    assertThat(learner.learner()).isTrue();
    assertThat(learner.started()).as("etcd learns the name when the member starts").isFalse();
    assertThat(learner.peerUrls()).containsExactly(cluster.peerUrl(3));
    assertThat(etcd.promote(cluster.clientUrl(0), learner.id())).as("a learner that has not started is not in sync")
        .isFalse();
    assertThat(etcd.listMembers().members()).filteredOn(m -> m.id() == learner.id())
        .singleElement().matches(EtcdMember::learner);

    cluster.join(3);
    List<URI> all = IntStream.range(0, 4).mapToObj(cluster::clientUrl).toList();
    await("the learner answers as a healthy learner").atMost(Duration.ofSeconds(30)).until(() -> {
      ClusterObservation seen = etcd.observe(all);
      return seen.probes().get(cluster.clientUrl(3)).healthy()
          && seen.member(learner.id()).map(m -> m.learner() && m.name().equals("m-3")).orElse(false);
    });
    await("promoted once caught up").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> etcd.promote(cluster.clientUrl(0), learner.id()));
    // The member list comes from whichever member answers, which on 3.4 may not have applied the promotion yet.
    await("the member list shows the promoted member as a voter").atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(etcd.listMembers().members()).hasSize(4).noneMatch(EtcdMember::learner));

    ClusterObservation before = etcd.observe(all);
    long oldLeader = before.leaderId().orElseThrow();
    URI leaderEndpoint = before.probes().values().stream().filter(p -> p.memberId().orElse(0L) == oldLeader)
        .findFirst().orElseThrow().endpoint();
    etcd.moveLeader(leaderEndpoint, learner.id());
    await("leadership moved to the new member").atMost(Duration.ofSeconds(15))
        .until(() -> etcd.observe(all).leaderId().orElse(0L) == learner.id());

    await("old leader removed, once the new leader has been in touch with everyone for a while")
        .atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> etcd.removeMember(remainingVoter(all, leaderEndpoint), oldLeader));
    List<URI> remaining = all.stream().filter(u -> !u.equals(leaderEndpoint)).toList();
    try (EtcdClient after = EtcdClient.connect(EtcdConnection.plain(remaining, TIMEOUT))) {
      // As with the promotion: the member that answers may not have applied the removal yet.
      await("the member list without the old leader").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(after.listMembers().members()).hasSize(3).noneMatch(m -> m.id() == oldLeader));
      assertThat(after.get("/before")).contains("scale");
      after.put("/after", "removal");
      assertThat(after.get("/after")).contains("removal");
    }
  }
}
