package dev.etcdoperator.cluster;

import static dev.etcdoperator.testing.OperatorTestEnvironment.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.resources.OperatorLeaseBuilder;
import dev.etcdoperator.testing.MutableClock;
import dev.etcdoperator.testing.OperatorPerClass;
import dev.etcdoperator.testing.OperatorTestEnvironment;
import dev.etcdoperator.testing.TestClusters;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two operator installations on one Kubernetes cluster (review finding 15b): each etcd cluster is changed by the one
 * that holds its Lease, and the other takes over only once the holder is gone: without leader election, once it has
 * stopped renewing the cluster's Lease; with leader election, once its leader Lease has run out (and then an idle
 * cluster costs its holder no request at all).
 */
class ClusterLeaseTest {
  private static final String NS = "leases";
  /** The installation the test environment's operator is: leader election off, identity "test-operator". */
  private static final String INSTALLATION = "unelected/test-operator";
  private static final Duration DURATION = Duration.ofSeconds(30);
  @RegisterExtension
  static final OperatorPerClass OPERATOR = new OperatorPerClass(NS);

  private static OperatorTestEnvironment env() {
    return OPERATOR.env();
  }

  @Test
  void withoutLeaderElectionTheHolderRenewsAndAnotherInstallationWaitsUntilTheLeaseRunsOut() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
    EtcdCluster cluster = unreconciled("unreconciled");
    ClusterLease blue = new ClusterLease(env().client(), "unelected/blue", DURATION, clock);
    ClusterLease green = new ClusterLease(env().client(), "unelected/green", DURATION, clock);

    assertThat(blue.claim(cluster)).as("free: taken").isEmpty();
    assertThat(green.claim(cluster)).contains(new ClusterLease.HeldElsewhere("unelected/blue",
        Instant.parse("2026-12-03T10:00:30Z")));

    clock.advance(Duration.ofSeconds(20));
    assertThat(blue.claim(cluster)).as("renewed").isEmpty();
    clock.advance(Duration.ofSeconds(20));
    assertThat(green.claim(cluster)).as("renewed at 10:00:20, so held 10 s more")
        .contains(new ClusterLease.HeldElsewhere("unelected/blue", Instant.parse("2026-12-03T10:00:50Z")));

    clock.advance(Duration.ofSeconds(11)); // blue has stopped (a paused or removed installation)
    assertThat(green.claim(cluster)).as("run out: taken over").isEmpty();
    Lease lease = env().client().leases().inNamespace(NS).withName("unreconciled-operator").get();
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("unelected/green");
    assertThat(lease.getSpec().getLeaseTransitions()).isEqualTo(1);
    assertThat(lease.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(owner -> assertThat(owner.getName()).isEqualTo("unreconciled"));

    clock.advance(Duration.ofSeconds(11));
    assertThat(blue.claim(cluster)).as("blue is back, and fenced").contains(
        new ClusterLease.HeldElsewhere("unelected/green", Instant.parse("2026-12-03T10:01:21Z")));
  }

  @Test
  void withoutLeaderElectionAStoppingHolderGivesItsLeasesUpAndTheNextTakesThemAtOnce() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
    EtcdCluster cluster = unreconciled("released");
    ClusterLease old = new ClusterLease(env().client(), "unelected/pod-1", DURATION, clock);
    ClusterLease next = new ClusterLease(env().client(), "unelected/pod-2", DURATION, clock);
    assertThat(old.claim(cluster)).isEmpty();

    old.releaseAll();
    clock.advance(Duration.ofSeconds(1));

    assertThat(next.claim(cluster)).as("given up: taken at once, not at 10:00:30").isEmpty();
    Lease lease = env().client().leases().inNamespace(NS).withName("released-operator").get();
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("unelected/pod-2");
    assertThat(lease.getSpec().getLeaseTransitions()).isEqualTo(1);
  }

  @Test
  void aHolderGivesUpOnlyLeasesItStillHolds() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
    EtcdCluster cluster = unreconciled("taken-over");
    ClusterLease paused = new ClusterLease(env().client(), "unelected/paused", DURATION, clock);
    ClusterLease other = new ClusterLease(env().client(), "unelected/other", DURATION, clock);
    assertThat(paused.claim(cluster)).isEmpty();
    clock.advance(DURATION.plusSeconds(1));
    assertThat(other.claim(cluster)).as("run out: taken over").isEmpty();

    paused.releaseAll();

    assertThat(env().client().leases().inNamespace(NS).withName("taken-over-operator").get().getSpec()
        .getHolderIdentity()).isEqualTo("unelected/other");
  }

  @Test
  void withLeaderElectionTheHolderIsAliveWhileItsLeaderLeaseIsRenewedAndNeverRewritesTheClustersLease() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
    EtcdCluster cluster = unreconciled("elected");
    renewLeaderLease("blue-leader", clock.instant());
    ClusterLease blue = new ClusterLease(env().client(), NS + "/blue-leader", DURATION, clock);
    ClusterLease green = new ClusterLease(env().client(), NS + "/green-leader", DURATION, clock);

    assertThat(blue.claim(cluster)).as("free: taken").isEmpty();
    String written = env().client().leases().inNamespace(NS).withName("elected-operator").get().getMetadata()
        .getResourceVersion();
    for (int minute = 1; minute <= 10; minute++) {
      clock.advance(Duration.ofMinutes(1));
      renewLeaderLease("blue-leader", clock.instant()); // what blue's leader does every few seconds
      assertThat(blue.claim(cluster)).isEmpty();
      assertThat(green.claim(cluster)).as("blue's leader Lease is fresh, ten minutes on")
          .contains(new ClusterLease.HeldElsewhere(NS + "/blue-leader", clock.instant().plus(DURATION)));
    }
    assertThat(env().client().leases().inNamespace(NS).withName("elected-operator").get().getMetadata()
        .getResourceVersion()).as("the cluster's Lease, never rewritten by its holder").isEqualTo(written);

    clock.advance(DURATION.plusSeconds(1)); // blue's leader has stopped renewing: the installation is gone
    assertThat(green.claim(cluster)).as("taken over").isEmpty();
    assertThat(env().client().leases().inNamespace(NS).withName("elected-operator").get().getSpec()
        .getHolderIdentity()).isEqualTo(NS + "/green-leader");
  }

  /** A cluster that is never created, so the test environment's operator leaves it (and its Lease) alone. */
  private static EtcdCluster unreconciled(String name) {
    EtcdCluster cluster = TestClusters.cluster(spec -> {});
    cluster.getMetadata().setNamespace(NS);
    cluster.getMetadata().setName(name);
    return cluster;
  }

  private static void renewLeaderLease(String name, Instant at) {
    Lease leader = new LeaseBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
        .withNewSpec().withHolderIdentity(name + "-pod-0").withLeaseDurationSeconds((int) DURATION.toSeconds())
        .withRenewTime(at.atZone(ZoneOffset.UTC)).endSpec().build();
    env().client().resource(leader).createOr(existing -> existing.update());
  }

  @Test
  void aClusterAnotherInstallationHoldsIsLeftAloneUntilItsLeaseRunsOut() {
    Instant renewed = Instant.now().minus(DURATION).plusSeconds(6);
    EtcdCluster placeholder = TestClusters.cluster(spec -> {});
    placeholder.getMetadata().setNamespace(NS);
    placeholder.getMetadata().setName("held");
    env().client().resource(OperatorLeaseBuilder.build(placeholder, "ops/blue", DURATION, renewed, renewed, 0))
        .create();
    Instant until = renewed.plus(DURATION);

    env().create("held", c -> c.getSpec().setReplicas(1));

    await("the members' StatefulSet, once the other installation's Lease has run out").atMost(WAIT)
        .until(() -> env().get(StatefulSet.class, "held") != null);
    Instant created = Instant.parse(env().get(StatefulSet.class, "held").getMetadata().getCreationTimestamp());
    assertThat(created).as("nothing made while blue held the cluster")
        .isAfterOrEqualTo(until.truncatedTo(ChronoUnit.SECONDS));
    Lease lease = env().client().leases().inNamespace(NS).withName("held-operator").get();
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(INSTALLATION);
    assertThat(Optional.ofNullable(lease.getSpec().getLeaseTransitions())).contains(1);
  }
}
