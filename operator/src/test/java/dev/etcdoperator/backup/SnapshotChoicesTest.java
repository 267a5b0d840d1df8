package dev.etcdoperator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.MemberStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which member serves a snapshot, and where the snapshot goes in the bucket. */
class SnapshotChoicesTest {

  @Test
  void aHealthyFollowerIsPreferredAndLearnersAreNeverUsed() {
    assertThat(SnapshotMember.choose(List.of(member("c-0", true, true, false), member("c-1", true, false, false),
        member("c-2", true, false, false)))).hasValue("c-1");
    assertThat(SnapshotMember.choose(List.of(member("c-0", true, true, false), member("c-1", false, false, false),
        member("c-2", true, false, true)))).as("only the leader is a healthy voter").hasValue("c-0");
    assertThat(SnapshotMember.choose(List.of(member("c-0", false, false, false)))).isEmpty();
  }

  @Test
  void keysSortByTimeWithinTheClusterFolderAndNameTheBackup() {
    Instant time = Instant.parse("2026-11-21T09:08:07.654Z");
    assertThat(SnapshotKey.of(null, "ns", "c", time, 42, "nightly")).isEqualTo("ns/c/20261121T090807Z-rev42-nightly.db");
    assertThat(SnapshotKey.of("etcd/prod", "ns", "c", time, 42, "b")).isEqualTo("etcd/prod/ns/c/20261121T090807Z-rev42-b.db");
    assertThat(SnapshotKey.belongsTo("ns/c/20261121T090807Z-rev42-nightly.db", "ns/c/", "nightly")).isTrue();
    assertThat(SnapshotKey.belongsTo("ns/c/20261121T090807Z-rev42-b-nightly.db", "ns/c/", "nightly")).isFalse();
    assertThat(SnapshotKey.belongsTo("ns/c/20261121T090807Z-rev42-nightly.db", "ns/c/", "b-nightly")).isFalse();
    assertThat(SnapshotKey.belongsTo("ns/other/20261121T090807Z-rev42-nightly.db", "ns/c/", "nightly")).isFalse();
  }

  private static MemberStatus member(String name, boolean healthy, boolean leader, boolean learner) {
    MemberStatus member = new MemberStatus();
    member.setName(name);
    member.setHealthy(healthy);
    member.setLeader(leader);
    member.setLearner(learner);
    return member;
  }
}
