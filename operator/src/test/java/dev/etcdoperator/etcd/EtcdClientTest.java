package dev.etcdoperator.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.testing.EtcdProcessCluster;
import dev.etcdoperator.testing.RecordingRelay;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The facade against healthy real etcd clusters (one member and three members), started once for the class. */
class EtcdClientTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private static EtcdProcessCluster solo;
  private static EtcdProcessCluster main;
  private static EtcdClient soloClient;
  private static EtcdClient mainClient;

  @BeforeAll
  static void startClusters(@TempDir Path tempDir) {
    solo = EtcdProcessCluster.builder(tempDir.resolve("solo")).members(1).namePrefix("solo").start();
    main = EtcdProcessCluster.builder(tempDir.resolve("main")).members(3).namePrefix("main").start();
    soloClient = EtcdClient.connect(EtcdConnection.plain(solo.clientUrls(), TIMEOUT));
    mainClient = EtcdClient.connect(EtcdConnection.plain(main.clientUrls(), TIMEOUT));
    // The first gRPC call of a fresh JVM spends over a second loading classes; let that happen here, not
    // inside the first test's request timeout.
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
        .until(() -> main.clientUrls().stream().allMatch(mainClient::isHealthy)
            && soloClient.isHealthy(solo.clientUrl(0)));
  }

  @AfterAll
  static void stopClusters() {
    for (AutoCloseable c : new AutoCloseable[] {soloClient, mainClient, solo, main}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception ignored) {
          // keep closing the rest
        }
      }
    }
  }

  @Nested
  class ThreeMembers {

    @Test
    void memberListHasEveryMemberWithItsUrls() {
      MemberList list = mainClient.listMembers();

      assertThat(list.clusterId()).isNotZero();
      assertThat(list.members()).extracting(EtcdMember::name)
          .containsExactlyInAnyOrder("main-0", "main-1", "main-2");
      assertThat(list.members()).extracting(EtcdMember::id).doesNotHaveDuplicates().doesNotContain(0L);
      assertThat(list.members()).noneMatch(EtcdMember::learner).allMatch(EtcdMember::started);
      for (int i = 0; i < 3; i++) {
        EtcdMember member = list.byName(main.memberName(i)).orElseThrow();
        assertThat(member.peerUrls()).containsExactly(main.peerUrl(i));
        assertThat(member.clientUrls()).containsExactly(main.clientUrl(i));
      }
    }

    @Test
    void everyEndpointReportsTheSameClusterId() {
      Set<Long> clusterIds = main.clientUrls().stream().map(url -> {
        try (EtcdClient one = EtcdClient.connect(EtcdConnection.plain(List.of(url), TIMEOUT))) {
          return one.listMembers().clusterId();
        }
      }).collect(Collectors.toSet());

      assertThat(clusterIds).containsExactly(mainClient.listMembers().clusterId());
    }

    @Test
    void statusAsksExactlyTheMemberAtTheEndpoint() {
      MemberList list = mainClient.listMembers();
      for (int i = 0; i < 3; i++) {
        MemberStatus status = mainClient.status(main.clientUrl(i));

        assertThat(status.endpoint()).isEqualTo(main.clientUrl(i));
        assertThat(status.memberId()).as("member id answered by %s", main.clientUrl(i))
            .isEqualTo(list.byName(main.memberName(i)).orElseThrow().id());
      }
    }

    @Test
    void exactlyOneLeaderAndEveryMemberAgreesOnIt() {
      // Right after start an election may still settle; the cluster must converge on one leader.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        List<MemberStatus> statuses = main.clientUrls().stream().map(mainClient::status).toList();

        assertThat(statuses).filteredOn(MemberStatus::isLeader).hasSize(1);
        long leader = statuses.stream().filter(MemberStatus::isLeader).findFirst().orElseThrow().memberId();
        assertThat(statuses).extracting(MemberStatus::leaderId).containsOnly(leader);
        assertThat(statuses).extracting(MemberStatus::raftTerm).containsOnly(statuses.get(0).raftTerm());
      });
    }

    @Test
    void statusReportsVersionDbSizesAndNoErrors() {
      for (URI url : main.clientUrls()) {
        MemberStatus status = mainClient.status(url);

        assertThat(status.version()).startsWith("3.4.");
        assertThat(status.dbSizeBytes()).isPositive();
        assertThat(status.dbSizeInUseBytes()).isPositive().isLessThanOrEqualTo(status.dbSizeBytes());
        assertThat(status.raftIndex()).isPositive();
        assertThat(status.raftTerm()).isPositive();
        assertThat(status.errors()).isEmpty();
        assertThat(status.toString()).contains(EtcdIds.toHex(status.memberId()));
      }
    }

    @Test
    void everyMemberIsHealthy() {
      assertThat(main.clientUrls()).allMatch(mainClient::isHealthy);
    }

    @Test
    void putThenLinearizableGetThroughAnotherMember() {
      String key = "/test/" + UUID.randomUUID();
      mainClient.put(key, "value ✓");

      for (URI url : main.clientUrls()) {
        try (EtcdClient one = EtcdClient.connect(EtcdConnection.plain(List.of(url), TIMEOUT))) {
          assertThat(one.get(key)).as("read through %s", url).contains("value ✓");
        }
      }
      assertThat(mainClient.get(key + "/missing")).isEmpty();
    }

    @Test
    void observeReportsMembersStatusesAndHealth() {
      ClusterObservation observation = mainClient.observe(main.clientUrls());

      assertThat(observation.clusterId()).isEqualTo(mainClient.listMembers().clusterId());
      assertThat(observation.members()).extracting(EtcdMember::name)
          .containsExactlyInAnyOrder("main-0", "main-1", "main-2");
      assertThat(observation.probes().keySet()).containsExactlyElementsOf(main.clientUrls());
      assertThat(observation.probes().values()).allSatisfy(probe -> {
        assertThat(probe.healthy()).as("%s healthy", probe.endpoint()).isTrue();
        assertThat(probe.error()).isEmpty();
        assertThat(probe.status()).isPresent();
      });
      assertThat(observation.healthyCount()).isEqualTo(3);
      Map<Long, EtcdMember> byId = observation.members().stream()
          .collect(Collectors.toMap(EtcdMember::id, m -> m));
      assertThat(observation.leaderId()).hasValueSatisfying(leader -> assertThat(byId).containsKey(leader));
      assertThat(observation.probes().values()).filteredOn(p -> p.status().orElseThrow().isLeader())
          .singleElement()
          .satisfies(p -> assertThat(p.memberId()).isEqualTo(observation.leaderId()));
    }
  }

  /**
   * The reconciler observes every few seconds: answering members keep their connection (no new TLS handshake), the
   * member's status included, counted as connections on the wire.
   */
  @Test
  void observingAgainReusesEachMembersChannel() throws Exception {
    List<RecordingRelay> relays = new ArrayList<>();
    try (EtcdClient client = EtcdClient.connect(EtcdConnection.plain(main.clientUrls(), TIMEOUT))) {
      for (URI member : main.clientUrls()) {
        relays.add(new RecordingRelay(member));
      }
      List<URI> throughRelays = relays.stream().map(RecordingRelay::endpoint).toList();
      assertThat(client.observe(throughRelays).probes().values()).allSatisfy(p -> {
        assertThat(p.healthy()).isTrue();
        assertThat(p.status()).isPresent();
      });
      assertThat(relays).extracting(RecordingRelay::connectionsAccepted).containsOnly(1);

      for (int i = 0; i < 5; i++) {
        assertThat(client.observe(throughRelays).probes().values()).allSatisfy(p -> assertThat(p.status()).isPresent());
        assertThat(client.isHealthy(throughRelays.get(1))).isTrue();
      }
      assertThat(relays).as("connections per member after six observations")
          .extracting(RecordingRelay::connectionsAccepted).containsOnly(1);
    } finally {
      relays.forEach(RecordingRelay::close);
    }
  }

  @Test
  void membersLeftOutOfAnObservationLoseTheirChannel() {
    try (EtcdClient client = EtcdClient.connect(EtcdConnection.plain(main.clientUrls(), TIMEOUT))) {
      assertThat(client.observe(main.clientUrls()).healthyCount()).isEqualTo(3);
      assertThat(client.probeChannelsOpened()).isEqualTo(3);

      assertThat(client.observe(List.of(main.clientUrl(0))).healthyCount()).isEqualTo(1);
      client.observe(main.clientUrls());
      assertThat(client.probeChannelsOpened()).as("members left out of an observation lose their channel")
          .isEqualTo(5);
    }
  }

  @Nested
  class OneMember {

    @Test
    void memberListStatusHealthAndLeader() {
      MemberList list = soloClient.listMembers();
      assertThat(list.members()).singleElement().satisfies(m -> {
        assertThat(m.name()).isEqualTo("solo-0");
        assertThat(m.peerUrls()).containsExactly(solo.peerUrl(0));
        assertThat(m.clientUrls()).containsExactly(solo.clientUrl(0));
        assertThat(m.learner()).isFalse();
      });
      long id = list.members().get(0).id();

      MemberStatus status = soloClient.status(solo.clientUrl(0));
      assertThat(status.memberId()).isEqualTo(id);
      assertThat(status.isLeader()).isTrue();
      assertThat(status.version()).startsWith("3.4.");
      assertThat(soloClient.isHealthy(solo.clientUrl(0))).isTrue();

      ClusterObservation observation = soloClient.observe(solo.clientUrls());
      assertThat(observation.clusterId()).isEqualTo(list.clusterId()).isNotZero();
      assertThat(observation.leaderId()).contains(id);
      assertThat(observation.probes()).hasSize(1);
    }

    @Test
    void putGetRoundTrip() {
      soloClient.put("greeting", "hello");
      soloClient.put("greeting", "hello again");

      assertThat(soloClient.get("greeting")).contains("hello again");
      assertThat(soloClient.get("no-such-key")).isEmpty();
    }

    @Test
    void separateClustersHaveDifferentIdsAndAddresses() {
      assertThat(soloClient.listMembers().clusterId()).isNotEqualTo(mainClient.listMembers().clusterId());
      assertThat(solo.host(0)).isNotEqualTo(main.host(0));
      assertThat(IntStream.range(0, 3).mapToObj(main::host)).doesNotHaveDuplicates()
          .allMatch(host -> host.startsWith("127.") && !host.startsWith("127.0."));
    }
  }

  @Test
  void closeStopsEveryThreadTheClientStarted() {
    EtcdClient client = EtcdClient.connect(EtcdConnection.plain(main.clientUrls(), TIMEOUT));
    String prefix = client.threadNamePrefix();
    client.listMembers();
    client.status(main.clientUrl(0));
    client.isHealthy(main.clientUrl(1));
    client.observe(main.clientUrls());
    client.put("threads", "x");

    client.close();
    client.close(); // idempotent

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Set<Thread> threads = Thread.getAllStackTraces().keySet();
      assertThat(threads).extracting(Thread::getName).noneMatch(name -> name.startsWith(prefix));
      // jetcd 0.8.x starts a Vert.x instance for some features; none may survive, daemon or not.
      assertThat(threads).extracting(Thread::getName).noneMatch(name -> name.startsWith("vert.x-"));
      // Whatever gRPC/Netty keeps pooled must never keep the JVM alive.
      assertThat(threads).filteredOn(t -> !t.isDaemon())
          .extracting(Thread::getName)
          .noneMatch(name -> name.contains("vert.x") || name.contains("jetcd") || name.contains("grpc")
              || name.contains("etcd-client") || name.contains("nioEventLoop")
              || name.contains("epoll"));
    });
    assertThatThrownBy(() -> client.isHealthy(main.clientUrl(0))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(client::listMembers).isInstanceOf(IllegalStateException.class);
  }
}
