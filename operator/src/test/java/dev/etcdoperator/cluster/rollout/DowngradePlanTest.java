package dev.etcdoperator.cluster.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.etcd.DowngradeStatus;
import dev.etcdoperator.support.EtcdVersion;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The steps of a minor downgrade before its first restart, as etcd 3.6's downgrade guide orders them: enable (etcd
 * validates first), wait for every member's storage version to reach the target, then restart; and what stops it.
 * Planner only: no etcd 3.6 binary exists on these machines (the calls themselves are checked on a real 3.5 in
 * EtcdClientDowngradeTest).
 */
class DowngradePlanTest {
  private static final EtcdVersion TARGET = EtcdVersion.parse("3.5.30").orElseThrow();

  private static DowngradeStatus member(int ordinal, String version, String storage, String enabledTarget) {
    return new DowngradeStatus(URI.create("https://main-" + ordinal + ":2379"), version,
        Optional.ofNullable(storage), enabledTarget != null, Optional.ofNullable(enabledTarget));
  }

  @Test
  void aClusterWithNoDowngradeEnabledHasItEnabledFirst() {
    List<DowngradeStatus> members = List.of(member(0, "3.6.16", "3.6.0", null), member(1, "3.6.16", "3.6.0", null),
        member(2, "3.6.16", "3.6.0", null));

    assertThat(DowngradePlan.next(TARGET, members, 3)).isEqualTo(new DowngradePlan.Step.Enable("3.5"));
  }

  @Test
  void onceEnabledTheRestartsWaitUntilEveryMembersDataIsMigrated() {
    List<DowngradeStatus> members = List.of(member(0, "3.6.16", "3.5.0", "3.5.0"),
        member(1, "3.6.16", "3.6.0", "3.5.0"), member(2, "3.6.16", "3.5.0", "3.5.0"));

    assertThat(DowngradePlan.next(TARGET, members, 3)).isInstanceOfSatisfying(DowngradePlan.Step.Await.class,
        await -> assertThat(await.message()).isEqualTo("downgrade to 3.5 enabled; waiting until every member's "
            + "data is migrated to storage version 3.5 (still on another: main-1 3.6.0)"));
  }

  @Test
  void migratedMembersLetTheFirstRestartGo() {
    List<DowngradeStatus> members = List.of(member(0, "3.6.16", "3.5.0", "3.5.0"),
        member(1, "3.6.16", "3.5.0", "3.5.0"), member(2, "3.6.16", "3.5.0", "3.5.0"));

    assertThat(DowngradePlan.next(TARGET, members, 3)).isEqualTo(new DowngradePlan.Step.Proceed());
  }

  @Test
  void aMemberAlreadyOnTheTargetMeansTheDowngradeIsUnderWay() {
    List<DowngradeStatus> members = List.of(member(0, "3.5.30", null, null), member(1, "3.6.16", "3.5.0", "3.5.0"),
        member(2, "3.6.16", "3.5.0", "3.5.0"));

    assertThat(DowngradePlan.next(TARGET, members, 3)).isEqualTo(new DowngradePlan.Step.Proceed());
  }

  @Test
  void aMemberThatDidNotAnswerHoldsEverything() {
    List<DowngradeStatus> members = List.of(member(0, "3.6.16", "3.6.0", null), member(2, "3.6.16", "3.6.0", null));

    assertThat(DowngradePlan.next(TARGET, members, 3)).isEqualTo(new DowngradePlan.Step.Await(
        "downgrading to 3.5 waits until every member answers (2 of 3 did)"));
  }

  @Test
  void aDowngradeToAnotherVersionAlreadyEnabledIsNotOverridden() {
    EtcdVersion to36 = EtcdVersion.parse("3.6.16").orElseThrow();
    List<DowngradeStatus> members = List.of(member(0, "3.7.2", "3.7.0", "3.5.0"), member(1, "3.7.2", "3.7.0", "3.5.0"),
        member(2, "3.7.2", "3.7.0", "3.5.0"));

    assertThat(DowngradePlan.next(to36, members, 3)).isEqualTo(new DowngradePlan.Step.Refuse("etcd has a downgrade "
        + "to 3.5.0 enabled, not to 3.6: cancel it (etcdctl downgrade cancel) or set spec.version to a release of "
        + "that minor"));
  }
}
