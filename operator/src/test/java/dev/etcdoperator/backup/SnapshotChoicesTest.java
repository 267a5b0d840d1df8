package dev.etcdoperator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.etcdoperator.api.v1alpha1.BackupDestination;
import dev.etcdoperator.api.v1alpha1.EtcdBackup;
import dev.etcdoperator.api.v1alpha1.EtcdBackupConditions;
import dev.etcdoperator.api.v1alpha1.EtcdBackupSpec;
import dev.etcdoperator.api.v1alpha1.EtcdBackupStatus;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.MemberStatus;
import dev.etcdoperator.api.v1alpha1.S3Destination;
import dev.etcdoperator.etcd.SnapshotSource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
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
    assertThat(SnapshotKey.of(null, "ns", "c", time, "nightly")).isEqualTo("ns/c/20261121T090807Z-nightly.db");
    assertThat(SnapshotKey.of("etcd/prod", "ns", "c", time, "b")).isEqualTo("etcd/prod/ns/c/20261121T090807Z-b.db");
  }

  @Test
  void everyAttemptOfABackupWritesTheSameObject() {
    EtcdBackup backup = new EtcdBackup();
    backup.setMetadata(new ObjectMetaBuilder().withNamespace("ns").withName("nightly").build());
    backup.setSpec(new EtcdBackupSpec());
    backup.getSpec().setDestination(new BackupDestination());
    backup.getSpec().getDestination().setS3(new S3Destination());
    backup.getSpec().getDestination().getS3().setPrefix("prod");
    backup.setStatus(new EtcdBackupStatus());
    backup.getStatus().setStartTime("2026-11-21T09:08:07Z");

    String first = BackupAttempt.keyOf(backup, "c", Clock.fixed(Instant.parse("2026-11-21T09:08:07Z"), ZoneOffset.UTC));
    String retry = BackupAttempt.keyOf(backup, "c", Clock.fixed(Instant.parse("2026-11-21T09:13:40Z"), ZoneOffset.UTC));
    assertThat(retry).as("a retry after a crash replaces what the crashed attempt completed").isEqualTo(first)
        .isEqualTo("prod/ns/c/20261121T090807Z-nightly.db");
  }

  @Test
  void aMemberAnsweringForAnotherEtcdClusterIsNotBackedUp() {
    EtcdCluster cluster = new EtcdCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withNamespace("ns").withName("main").build());
    cluster.setStatus(new EtcdClusterStatus());
    cluster.getStatus().setClusterID("cdf818194e3a8c32");
    SnapshotSource ours = new SnapshotSource(URI.create("https://main-1:2379"), 1, 0xcdf818194e3a8c32L, 42, "3.5.21");
    SnapshotSource other = new SnapshotSource(URI.create("https://main-1:2379"), 1, 0x1c0ffee, 3, "3.5.21");

    assertThatCode(() -> BackupAttempt.refuseAnotherCluster(cluster, "main-1", ours)).doesNotThrowAnyException();
    assertThatThrownBy(() -> BackupAttempt.refuseAnotherCluster(cluster, "main-1", other))
        .isInstanceOfSatisfying(BackupFailure.class, f -> {
          assertThat(f.reason()).isEqualTo(EtcdBackupConditions.Reason.CLUSTER_ID_MISMATCH);
          assertThat(f.retryable()).isFalse();
        })
        .hasMessage("member main-1 answers as etcd cluster 1c0ffee, but main formed as cdf818194e3a8c32 "
            + "(status.clusterID): no snapshot was taken");
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
