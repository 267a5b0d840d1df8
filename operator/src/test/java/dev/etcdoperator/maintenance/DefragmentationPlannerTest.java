package dev.etcdoperator.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.maintenance.DefragmentationPlanner.Input;
import dev.etcdoperator.maintenance.DefragmentationPlanner.Policy;
import dev.etcdoperator.maintenance.DefragmentationPlanner.Run;
import dev.etcdoperator.maintenance.DefragmentationPlanner.Step;
import dev.etcdoperator.maintenance.DefragmentationPlanner.Threshold;
import dev.etcdoperator.schedule.CronSchedule;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Schedule x threshold x cluster state -> the next step; member order; resuming a run. */
class DefragmentationPlannerTest {
  private static final Instant NOW = Instant.parse("2026-12-04T03:00:30Z");
  private static final Instant YESTERDAY = Instant.parse("2026-12-03T03:10:00Z");
  private static final long MIB = 1024 * 1024;
  private static final Policy NIGHTLY = new Policy(Optional.of(CronSchedule.parse("0 3 * * *")), Optional.empty());
  private static final Policy THRESHOLD = new Policy(Optional.empty(), Optional.of(Threshold.DEFAULT));
  private static final Policy NIGHTLY_IF_NEEDED = new Policy(NIGHTLY.schedule(), Optional.of(Threshold.DEFAULT));

  /** main-1 leads; main-2 is fragmented (300 of 400 MiB free), the others are not. */
  private static List<MemberUsage> members(boolean allHealthy) {
    return List.of(new MemberUsage("main-0", 10, false, true, 200 * MIB, 190 * MIB),
        new MemberUsage("main-1", 11, false, allHealthy, 200 * MIB, 190 * MIB),
        new MemberUsage("main-2", 12, false, true, 400 * MIB, 100 * MIB),
        new MemberUsage("main-3", 13, true, false, 0, 0));
  }

  private static Input input(Policy policy, Optional<String> busy, Optional<Run> run, boolean requested) {
    return new Input(policy, members(true), Optional.of(11L), busy, run, YESTERDAY, requested, NOW);
  }

  @Test
  void aScheduledTimeStartsARunOverEveryVotingMemberNeverTheLearner() {
    assertThat(DefragmentationPlanner.next(input(NIGHTLY, Optional.empty(), Optional.empty(), false)))
        .isEqualTo(new Step.Start("scheduled at 2026-12-04T03:00:00Z", List.of("main-0", "main-1", "main-2")));
  }

  @Test
  void betweenScheduledTimesNothingIsDue() {
    Input afterTonightsRun = new Input(NIGHTLY, members(true), Optional.of(11L), Optional.empty(), Optional.empty(),
        Instant.parse("2026-12-04T03:00:00Z"), false, NOW);
    assertThat(DefragmentationPlanner.next(afterTonightsRun)).isEqualTo(new Step.Idle());
  }

  @Test
  void aThresholdStartsARunOverTheFragmentedMembersOnly() {
    assertThat(DefragmentationPlanner.next(input(THRESHOLD, Optional.empty(), Optional.empty(), false)))
        .isEqualTo(new Step.Start("threshold crossed: main-2 has 314572800 reclaimable bytes (75% of its database)",
            List.of("main-2")));
  }

  @Test
  void aScheduleWithAThresholdRunsOnlyWhenSomethingIsFragmented() {
    assertThat(DefragmentationPlanner.next(input(NIGHTLY_IF_NEEDED, Optional.empty(), Optional.empty(), false)))
        .isEqualTo(new Step.Start("scheduled at 2026-12-04T03:00:00Z: main-2 has 314572800 reclaimable bytes (75% "
            + "of its database)", List.of("main-2")));
    Input nothingFragmented = new Input(NIGHTLY_IF_NEEDED, members(true).subList(0, 2), Optional.of(11L),
        Optional.empty(), Optional.empty(), YESTERDAY, false, NOW);
    assertThat(DefragmentationPlanner.next(nothingFragmented)).isEqualTo(new Step.Idle());
  }

  @Test
  void aRequestRunsOverEveryVotingMemberWhateverThePolicy() {
    assertThat(DefragmentationPlanner.next(input(THRESHOLD, Optional.empty(), Optional.empty(), true)))
        .isEqualTo(new Step.Start("requested by annotation", List.of("main-0", "main-1", "main-2")));
  }

  @Test
  void aDueRunWaitsForOtherChangesAndForHealth() {
    assertThat(DefragmentationPlanner.next(input(NIGHTLY, Optional.of("a rollout is under way"), Optional.empty(),
        false))).isEqualTo(new Step.Hold("DefragmentationWaitsForChange", "defragmentation waits: a rollout is "
            + "under way"));
    Input unhealthy = new Input(NIGHTLY, members(false), Optional.of(11L), Optional.empty(), Optional.empty(),
        YESTERDAY, false, NOW);
    assertThat(DefragmentationPlanner.next(unhealthy)).isEqualTo(new Step.Hold(
        "DefragmentationWaitsForHealth", "defragmentation waits until every voting member is healthy; not "
            + "healthy: main-1"));
  }

  @Test
  void followersGoFirstOneAtATimeWithAPauseAndTheLeaderLastAfterHandingOver() {
    List<String> all = List.of("main-0", "main-1", "main-2");
    Instant start = NOW.minusSeconds(60);
    assertThat(next(new Run(start, "t", all, List.of(), Optional.empty()))).isEqualTo(new Step.Defragment("main-0"));
    assertThat(next(new Run(start, "t", all, List.of("main-0"), Optional.of(NOW.minusSeconds(3)))))
        .isEqualTo(new Step.Pause(NOW.plusSeconds(7)));
    assertThat(next(new Run(start, "t", all, List.of("main-0"), Optional.of(NOW.minusSeconds(30)))))
        .isEqualTo(new Step.Defragment("main-2"));
    assertThat(next(new Run(start, "t", all, List.of("main-0", "main-2"), Optional.of(NOW.minusSeconds(30)))))
        .isEqualTo(new Step.MoveLeader("main-1", "main-0", 10));
    Input led = new Input(NIGHTLY, members(true), Optional.of(10L), Optional.empty(),
        Optional.of(new Run(start, "t", all, List.of("main-0", "main-2"), Optional.of(NOW.minusSeconds(30)))),
        YESTERDAY, false, NOW);
    assertThat(DefragmentationPlanner.next(led)).isEqualTo(new Step.Defragment("main-1"));
    assertThat(next(new Run(start, "t", all, all, Optional.of(NOW.minusSeconds(30))))).isEqualTo(new Step.Finish());
  }

  /** An operator restarted midway reads the run from status: done members are never defragmented again. */
  @Test
  void aResumedRunSkipsWhatIsDoneAndMembersThatLeftTheCluster() {
    Run recorded = new Run(NOW.minusSeconds(600), "t", List.of("main-0", "main-2", "main-4"), List.of("main-0"),
        Optional.of(NOW.minusSeconds(300)));
    assertThat(next(recorded)).isEqualTo(new Step.Defragment("main-2"));
    assertThat(DefragmentationPlanner.next(input(NIGHTLY, Optional.of("scaling out"), Optional.of(recorded), false)))
        .isInstanceOf(Step.Hold.class);
  }

  private static Step next(Run run) {
    return DefragmentationPlanner.next(input(NIGHTLY, Optional.empty(), Optional.of(run), false));
  }
}
