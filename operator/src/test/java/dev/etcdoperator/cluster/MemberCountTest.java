package dev.etcdoperator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.MemberStatus;
import dev.etcdoperator.api.v1alpha1.MembershipChange;
import dev.etcdoperator.testing.TestClusters;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MemberCountTest {

  /** Node drains keep a quorum of the voters etcd has: a scale-in does not lower the budget before it happens. */
  @Test
  void theBudgetGuardsTheVotersEtcdHasAndNeverFewerThanSpecReplicas() {
    assertThat(MemberCount.guarded(1, OptionalInt.of(3), OptionalInt.of(3))).as("3 -> 1, blocked").isEqualTo(3);
    assertThat(MemberCount.guarded(3, OptionalInt.of(5), OptionalInt.of(5))).as("5 -> 3").isEqualTo(5);
    assertThat(MemberCount.guarded(5, OptionalInt.of(3), OptionalInt.of(4))).as("3 -> 5, learner").isEqualTo(5);
    assertThat(MemberCount.guarded(1, OptionalInt.empty(), OptionalInt.of(3))).as("etcd silent").isEqualTo(3);
    assertThat(MemberCount.guarded(3, OptionalInt.empty(), OptionalInt.empty())).isEqualTo(3);
  }

  /** A formed cluster whose StatefulSet is gone while etcd does not answer: the members status saw, or nothing. */
  @Test
  void aMissingStatefulSetOfAFormedClusterIsSizedFromStatusNeverFromSpec() {
    EtcdCluster cluster = TestClusters.cluster(spec -> spec.setReplicas(1));
    assertThat(MemberCount.ofStatefulSet(cluster, Optional.empty(), Optional.empty(), Optional.empty(), true))
        .as("nothing recorded").isEmpty();

    cluster.setStatus(new EtcdClusterStatus());
    cluster.getStatus().setMembers(Stream.of("main-0", "main-2").map(MemberCountTest::member).toList());
    assertThat(MemberCount.ofStatefulSet(cluster, Optional.empty(), Optional.empty(), Optional.empty(), true))
        .hasValue(3);
    cluster.getStatus().setMembershipChange(new MembershipChange(MembershipChange.SCALE_OUT, "main-3",
        "2026-12-03T00:00:00Z"));
    assertThat(MemberCount.ofStatefulSet(cluster, Optional.empty(), Optional.empty(), Optional.empty(), true))
        .as("a learner being added").hasValue(4);
    assertThat(MemberCount.ofStatefulSet(cluster, Optional.empty(), Optional.empty(), Optional.empty(), false))
        .as("not formed: the bootstrap members").hasValue(1);
  }

  private static MemberStatus member(String name) {
    MemberStatus member = new MemberStatus();
    member.setName(name);
    return member;
  }
}
