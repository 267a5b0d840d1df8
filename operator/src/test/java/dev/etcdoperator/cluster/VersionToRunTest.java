package dev.etcdoperator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.MemberStatus;
import dev.etcdoperator.support.EtcdVersion;
import dev.etcdoperator.testing.TestClusters;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class VersionToRunTest {
  private static final EtcdVersion DEFAULT = EtcdVersion.parse("3.5.21").orElseThrow();

  @Test
  void specVersionWinsAndANewClusterStartsWithTheOperatorsDefault() {
    assertThat(VersionToRun.of(TestClusters.cluster(spec -> spec.setVersion("3.6.5")), DEFAULT))
        .hasToString("3.6.5");
    assertThat(VersionToRun.of(TestClusters.cluster(spec -> spec.setVersion(null)), DEFAULT)).isEqualTo(DEFAULT);
  }

  /** status.currentVersion is the lowest member's: following it would take 3.6 members back to 3.5. */
  @Test
  void specVersionRemovedMidUpgradeFinishesTheUpgradeInsteadOfGoingBackAMinor() {
    EtcdCluster cluster = TestClusters.cluster(spec -> spec.setVersion(null));
    cluster.setStatus(new EtcdClusterStatus());
    cluster.getStatus().setCurrentVersion("3.5.26");
    cluster.getStatus().setMembers(Stream.of("3.6.5", "3.5.26", "3.5.26").map(VersionToRunTest::member).toList());

    assertThat(VersionToRun.of(cluster, DEFAULT)).hasToString("3.6.5");
  }

  @Test
  void withoutMemberVersionsTheLastKnownVersionIsKept() {
    EtcdCluster cluster = TestClusters.cluster(spec -> spec.setVersion(null));
    cluster.setStatus(new EtcdClusterStatus());
    cluster.getStatus().setCurrentVersion("3.4.23");
    cluster.getStatus().setMembers(Stream.of((String) null).map(VersionToRunTest::member).toList());

    assertThat(VersionToRun.of(cluster, DEFAULT)).hasToString("3.4.23");
  }

  private static MemberStatus member(String version) {
    MemberStatus member = new MemberStatus();
    member.setVersion(version);
    return member;
  }
}
