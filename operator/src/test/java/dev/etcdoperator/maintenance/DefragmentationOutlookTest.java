package dev.etcdoperator.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.maintenance.DefragmentationOutlook.Idle;
import dev.etcdoperator.maintenance.DefragmentationPlanner.Policy;
import dev.etcdoperator.maintenance.DefragmentationPlanner.Threshold;
import dev.etcdoperator.schedule.CronSchedule;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the Defragmenting condition says between runs: when the next one comes, or why a scheduled one was skipped. */
class DefragmentationOutlookTest {
  private static final Instant NOW = Instant.parse("2026-12-04T03:00:30Z");
  private static final Instant TONIGHT = Instant.parse("2026-12-04T03:00:00Z");
  private static final long MIB = 1024 * 1024;
  private static final Optional<CronSchedule> NIGHTLY = Optional.of(CronSchedule.parse("0 3 * * *"));
  private static final List<MemberUsage> SLIGHTLY_FRAGMENTED = List.of(
      new MemberUsage("main-0", 10, false, true, 200 * MIB, 190 * MIB),
      new MemberUsage("main-1", 11, false, true, 200 * MIB, 180 * MIB),
      new MemberUsage("main-2", 12, true, true, 900 * MIB, 10 * MIB));

  @Test
  void aScheduleSaysWhenTheNextRunComes() {
    assertThat(DefragmentationOutlook.idle(new Policy(NIGHTLY, Optional.empty()), SLIGHTLY_FRAGMENTED,
        Optional.of(TONIGHT), Optional.of("scheduled at " + TONIGHT), NOW))
        .isEqualTo(new Idle("NotDue", "next scheduled run at 2026-12-05T03:00:00Z"));
  }

  @Test
  void aScheduledTimeSkippedForLackOfFragmentationSaysSoUntilTheNextRun() {
    Idle idle = DefragmentationOutlook.idle(new Policy(NIGHTLY, Optional.of(Threshold.DEFAULT)), SLIGHTLY_FRAGMENTED,
        Optional.of(TONIGHT), Optional.of("scheduled at 2026-12-03T03:00:00Z: main-1 has ..."), NOW);
    assertThat(idle).isEqualTo(new Idle("NothingToReclaim", "the run scheduled at 2026-12-04T03:00:00Z was skipped: "
        + "no member had 45% of its database and 100.0 MiB free to reclaim; most now: main-1 with 10% and 20.0 MiB; "
        + "next scheduled run at 2026-12-05T03:00:00Z"));
  }

  @Test
  void aScheduleWithAThresholdThatRanTonightIsNotDue() {
    Idle idle = DefragmentationOutlook.idle(new Policy(NIGHTLY, Optional.of(Threshold.DEFAULT)), SLIGHTLY_FRAGMENTED,
        Optional.of(TONIGHT), Optional.of("scheduled at " + TONIGHT + ": main-1 has ..."), NOW);
    assertThat(idle.reason()).isEqualTo("NotDue");
    assertThat(idle.message()).startsWith("next scheduled run at 2026-12-05T03:00:00Z, which runs if a member has 45%");
  }

  @Test
  void aThresholdAloneSaysHowFarTheMembersAreFromIt() {
    assertThat(DefragmentationOutlook.idle(new Policy(Optional.empty(), Optional.of(new Threshold(12, 16 * MIB))),
        SLIGHTLY_FRAGMENTED, Optional.empty(), Optional.empty(), NOW))
        .isEqualTo(new Idle("NotDue", "a run starts when a member has 12% of its database and 16.0 MiB free to "
            + "reclaim; most now: main-1 with 10% and 20.0 MiB"));
  }
}
