package dev.etcdoperator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.etcdoperator.config.OperatorConfig.MemberAccess;
import dev.etcdoperator.support.EtcdVersion;
import dev.etcdoperator.support.IpFamily;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OperatorConfigTest {

  private static OperatorConfig inCluster(Map<String, String> env) {
    return OperatorConfig.fromEnvironment(env, true, "operators");
  }

  private static OperatorConfig outside(Map<String, String> env) {
    return OperatorConfig.fromEnvironment(env, false, null);
  }

  @Test
  void defaultsInCluster() {
    OperatorConfig config = inCluster(Map.of());

    assertThat(config.watchNamespaces()).isEmpty();
    assertThat(config.defaultEtcdVersion()).isEqualTo(new EtcdVersion(3, 6, 16));
    assertThat(config.etcdImageRepository()).isEqualTo("gcr.io/etcd-development/etcd");
    assertThat(config.memberAccess()).isEqualTo(MemberAccess.DIRECT);
    assertThat(config.etcdRequestTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.resyncInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.healthPort()).isEqualTo(8080);
    assertThat(config.leaderElection()).isTrue();
    assertThat(config.leaseName()).isEqualTo("etcd-operator-leader");
    assertThat(config.leaseNamespace()).isEqualTo("operators");
    assertThat(config.clusterDomain()).isEqualTo("cluster.local");
  }

  @Test
  void defaultsOutsideTheCluster() {
    OperatorConfig config = outside(Map.of());

    assertThat(config.memberAccess()).isEqualTo(MemberAccess.PORT_FORWARD);
    assertThat(config.leaderElection()).isFalse();
    assertThat(config.leaseNamespace()).isEqualTo("default");
  }

  @Test
  void blankValuesMeanTheDefault() {
    OperatorConfig config = inCluster(Map.of("HEALTH_PORT", "  ", "ETCD_MEMBER_ACCESS", "", "LEADER_ELECTION", " "));

    assertThat(config.healthPort()).isEqualTo(8080);
    assertThat(config.memberAccess()).isEqualTo(MemberAccess.DIRECT);
    assertThat(config.leaderElection()).isTrue();
  }

  @Test
  void everySettingCanBeSet() {
    OperatorConfig config = outside(Map.ofEntries(
        Map.entry("WATCH_NAMESPACES", "a"),
        Map.entry("ETCD_DEFAULT_VERSION", "3.4.23"),
        Map.entry("ETCD_IMAGE_REPOSITORY", " registry.local/etcd "),
        Map.entry("ETCD_MEMBER_ACCESS", "direct"),
        Map.entry("ETCD_REQUEST_TIMEOUT_MS", "1500"),
        Map.entry("RESYNC_INTERVAL_SECONDS", "30"),
        Map.entry("HEALTH_PORT", "0"),
        Map.entry("LEADER_ELECTION", "TRUE"),
        Map.entry("LEADER_ELECTION_LEASE_NAME", "my-lease"),
        Map.entry("LEADER_ELECTION_NAMESPACE", "ops"),
        Map.entry("CLUSTER_DOMAIN", "corp.example")));

    assertThat(config.watchNamespaces()).containsExactly("a");
    assertThat(config.defaultEtcdVersion()).isEqualTo(new EtcdVersion(3, 4, 23));
    assertThat(config.etcdImageRepository()).isEqualTo("registry.local/etcd");
    assertThat(config.memberAccess()).isEqualTo(MemberAccess.DIRECT);
    assertThat(config.etcdRequestTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(config.resyncInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.healthPort()).isZero();
    assertThat(config.leaderElection()).isTrue();
    assertThat(config.leaseName()).isEqualTo("my-lease");
    assertThat(config.leaseNamespace()).isEqualTo("ops");
    assertThat(config.clusterDomain()).isEqualTo("corp.example");
    assertThat(config.installation()).isEqualTo("ops/my-lease");
    assertThat(config.clusterLeaseDuration()).isEqualTo(Duration.ofSeconds(90));
  }

  /** Replicas of one installation share the cluster Leases; a run without leader election is its own holder. */
  @Test
  void theInstallationHoldingTheClusterLeases() {
    OperatorConfig elected = inCluster(Map.of("POD_NAME", "etcd-operator-7d9f-abcde"));
    assertThat(elected.installation()).isEqualTo("operators/etcd-operator-leader");
    assertThat(elected.clusterLeaseDuration()).as("three resync intervals").isEqualTo(Duration.ofMinutes(3));

    OperatorConfig laptop = outside(Map.of("HOSTNAME", "laptop", "RESYNC_INTERVAL_SECONDS", "5"));
    assertThat(laptop.installation()).isEqualTo("unelected/laptop");
    assertThat(laptop.clusterLeaseDuration()).as("at least 30 s").isEqualTo(Duration.ofSeconds(30));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "direct|true|DIRECT", "direct|false|DIRECT",
      "Port-Forward|true|PORT_FORWARD", "port-forward|false|PORT_FORWARD",
      "AUTO|true|DIRECT", "auto|false|PORT_FORWARD"})
  void memberAccessAutoResolvesByWhereTheOperatorRuns(String value, boolean inCluster, MemberAccess expected) {
    OperatorConfig config = OperatorConfig.fromEnvironment(Map.of("ETCD_MEMBER_ACCESS", value), inCluster, "ns");

    assertThat(config.memberAccess()).isEqualTo(expected);
  }

  @Test
  void leaderElectionCanBeTurnedOffInClusterAndOnOutside() {
    assertThat(inCluster(Map.of("LEADER_ELECTION", "false")).leaderElection()).isFalse();
    assertThat(outside(Map.of("LEADER_ELECTION", "true")).leaderElection()).isTrue();
  }

  @Test
  void watchNamespacesAreTrimmedAndEmptyItemsDropped() {
    OperatorConfig config = inCluster(Map.of("WATCH_NAMESPACES", " team-a , ,team-b,, team-a ,"));

    assertThat(config.watchNamespaces()).containsExactlyInAnyOrder("team-a", "team-b");
  }

  @Test
  void watchNamespacesOfOnlySeparatorsMeansAllNamespaces() {
    assertThat(inCluster(Map.of("WATCH_NAMESPACES", " , ,")).watchNamespaces()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "HEALTH_PORT|http",
      "HEALTH_PORT|70000",
      "HEALTH_PORT|-1",
      "ETCD_REQUEST_TIMEOUT_MS|-5",
      "ETCD_REQUEST_TIMEOUT_MS|0",
      "ETCD_REQUEST_TIMEOUT_MS|5s",
      "RESYNC_INTERVAL_SECONDS|-60",
      "ETCD_DEFAULT_VERSION|3.3.1",
      "ETCD_DEFAULT_VERSION|3.8.0",
      "ETCD_DEFAULT_VERSION|latest",
      "ETCD_MEMBER_ACCESS|ssh",
      "LEADER_ELECTION|yes",
      "LEADER_ELECTION|1"})
  void invalidValueNamesTheVariableAndTheValue(String variable, String value) {
    assertThatThrownBy(() -> inCluster(Map.of(variable, value)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid " + variable + "='" + value + "': ");
  }

  /** Members run in the operator's cluster: their pod IPs have the family of the operator's own. */
  @Test
  void podIpFamilyFollowsTheOperatorsOwnPodIpUnlessSet() {
    assertThat(inCluster(Map.of("POD_IP", "10.244.1.7")).podIpFamily()).isEqualTo(IpFamily.IPV4);
    assertThat(inCluster(Map.of("POD_IP", "fd00:10:244::7")).podIpFamily()).isEqualTo(IpFamily.IPV6);
    assertThat(inCluster(Map.of()).podIpFamily()).isEqualTo(IpFamily.IPV4);
    assertThat(inCluster(Map.of("POD_IP", "10.244.1.7", "POD_IP_FAMILY", "IPv6")).podIpFamily())
        .isEqualTo(IpFamily.IPV6);
    assertThatThrownBy(() -> inCluster(Map.of("POD_IP_FAMILY", "v6")))
        .hasMessage("invalid POD_IP_FAMILY='v6': must be IPv4, IPv6 or auto");
  }

  @Test
  void invalidValuesSayWhatIsExpected() {
    assertThatThrownBy(() -> inCluster(Map.of("HEALTH_PORT", "70000")))
        .hasMessage("invalid HEALTH_PORT='70000': must be a port number (0 picks a free one)");
    assertThatThrownBy(() -> inCluster(Map.of("ETCD_REQUEST_TIMEOUT_MS", "-5")))
        .hasMessage("invalid ETCD_REQUEST_TIMEOUT_MS='-5': must be positive");
    assertThatThrownBy(() -> inCluster(Map.of("ETCD_DEFAULT_VERSION", "3.3.1")))
        .hasMessage("invalid ETCD_DEFAULT_VERSION='3.3.1': must be a supported etcd version (3.4.x to 3.7.x)");
    assertThatThrownBy(() -> inCluster(Map.of("ETCD_MEMBER_ACCESS", "ssh")))
        .hasMessage("invalid ETCD_MEMBER_ACCESS='ssh': must be direct, port-forward or auto");
    assertThatThrownBy(() -> inCluster(Map.of("LEADER_ELECTION", "yes")))
        .hasMessage("invalid LEADER_ELECTION='yes': must be true or false");
  }

  @Test
  void valuesAreTrimmedBeforeParsing() {
    OperatorConfig config = inCluster(Map.of("HEALTH_PORT", " 9090 ", "ETCD_DEFAULT_VERSION", " v3.5.21 "));

    assertThat(config.healthPort()).isEqualTo(9090);
    assertThat(config.defaultEtcdVersion()).isEqualTo(new EtcdVersion(3, 5, 21));
  }
}
