package dev.etcdoperator.cluster.restore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.api.v1alpha1.S3Bucket;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.cluster.model.RestoreSource;
import dev.etcdoperator.restore.RestoreStep;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The restore's next step from the restore pods' states and the snapshot's, and what a failed pod says. */
class RestorePlannerTest {
  private static final RestoreSource.Located SNAPSHOT = new RestoreSource.Located(bucket(), "a/b.db",
      Optional.of("ab"), 42);
  private static final MemberRestore NOT_STARTED = new MemberRestore.NotStarted();
  private static final MemberRestore RUNNING = new MemberRestore.Running();
  private static final MemberRestore DONE = new MemberRestore.Succeeded();

  @Test
  void membersWithoutAPodGetOneOnceTheSnapshotIsThere() {
    assertThat(plan(Map.of(0, DONE, 1, NOT_STARTED, 2, NOT_STARTED), SNAPSHOT))
        .contains(new ClusterStep.RestoreMembers(List.of(1, 2), SNAPSHOT));
  }

  @Test
  void aSnapshotThatIsNotThereYetIsWaitedForAndAnUnusableOneStopsTheRestore() {
    assertThat(plan(Map.of(0, NOT_STARTED), new RestoreSource.Pending("waiting for EtcdBackup b to complete")))
        .contains(new ClusterStep.Wait(RestorePlanner.RESTORE_POLL, Reason.RESTORING,
            "waiting for EtcdBackup b to complete"));
    assertThat(plan(Map.of(0, NOT_STARTED), new RestoreSource.Unusable("snapshot s3://x/y does not exist")))
        .contains(new ClusterStep.Halt(Reason.RESTORE_FAILED, "snapshot s3://x/y does not exist"));
  }

  @Test
  void aFailedMemberStopsEverythingEvenWhenOthersStillHaveToStart() {
    assertThat(plan(Map.of(0, DONE, 1, new MemberRestore.Failed("step fetch failed: corrupt"), 2, NOT_STARTED),
        SNAPSHOT)).contains(new ClusterStep.Halt(Reason.RESTORE_FAILED, "restore of member 1 failed: step fetch "
            + "failed: corrupt; delete the failed restore pod to try again"));
  }

  @Test
  void runningRestoresAreWaitedForAndAllDoneLetsTheClusterStart() {
    assertThat(plan(Map.of(0, DONE, 1, RUNNING, 2, DONE), null)).contains(new ClusterStep.Wait(
        RestorePlanner.RESTORE_POLL, Reason.RESTORING, "restoring the snapshot: 2/3 members restored"));
    assertThat(plan(Map.of(0, DONE, 1, DONE, 2, DONE), null)).isEmpty();
  }

  @Test
  void aFailedPodIsReadForTheFirstFailingStepAndItsLastLine() {
    Pod ours = failed(List.of(terminated("fetch", 1, "2026-11-21T12:00:00Z INFO RestoreStep - restore: downloading\n"
        + "2026-11-21T12:00:01Z ERROR RestoreStep - " + RestoreStep.FAILURE_MARK + "snapshot s3://b/k is corrupt\n")),
        List.of());
    assertThat(MemberRestore.of(Optional.of(ours)))
        .isEqualTo(new MemberRestore.Failed("step fetch failed: snapshot s3://b/k is corrupt"));
    Pod etcdctl = failed(List.of(terminated("fetch", 0, ""), terminated("restore", 1,
        "{\"level\":\"info\"}\nError: expected sha256 [1], got [2]\n")), List.of());
    assertThat(MemberRestore.of(Optional.of(etcdctl)))
        .isEqualTo(new MemberRestore.Failed("step restore failed: Error: expected sha256 [1], got [2]"));
    Pod silent = failed(List.of(terminated("fetch", 0, "")), List.of(terminated("commit", 137, null)));
    assertThat(MemberRestore.of(Optional.of(silent)))
        .isEqualTo(new MemberRestore.Failed("step commit failed: exit code 137 (Error)"));
    Pod evicted = new PodBuilder().withNewMetadata().withName("c-restore-0").endMetadata().withNewStatus()
        .withPhase("Failed").withReason("Evicted").withMessage("The node was low on resource: ephemeral-storage.")
        .endStatus().build();
    assertThat(MemberRestore.of(Optional.of(evicted))).isEqualTo(
        new MemberRestore.Failed("the pod failed: The node was low on resource: ephemeral-storage."));
    assertThat(MemberRestore.of(Optional.empty())).isEqualTo(NOT_STARTED);
  }

  private static Optional<ClusterStep> plan(Map<Integer, MemberRestore> members, RestoreSource source) {
    return RestorePlanner.plan(new RestoreFacts(members, Optional.ofNullable(source)));
  }

  private static io.fabric8.kubernetes.api.model.ContainerStatus terminated(String name, int exitCode,
      String message) {
    return new ContainerStatusBuilder().withName(name).withNewState().withNewTerminated().withExitCode(exitCode)
        .withReason(exitCode == 0 ? "Completed" : "Error").withMessage(message).endTerminated().endState().build();
  }

  private static Pod failed(List<io.fabric8.kubernetes.api.model.ContainerStatus> init,
      List<io.fabric8.kubernetes.api.model.ContainerStatus> main) {
    return new PodBuilder().withNewMetadata().withName("c-restore-0").endMetadata().withNewStatus().withPhase("Failed")
        .withInitContainerStatuses(init).withContainerStatuses(main).endStatus().build();
  }

  private static S3Bucket bucket() {
    S3Bucket bucket = new S3Bucket();
    bucket.setBucket("snapshots");
    return bucket;
  }
}
