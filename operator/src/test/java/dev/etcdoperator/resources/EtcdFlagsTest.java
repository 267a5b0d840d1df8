package dev.etcdoperator.resources;

import static dev.etcdoperator.testing.TestClusters.blueprint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdClusterSpec;
import dev.etcdoperator.api.v1alpha1.EtcdTuning;
import dev.etcdoperator.api.v1alpha1.ManagedEtcdFlags;
import dev.etcdoperator.support.IpFamily;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EtcdFlagsTest {
  private static final Pattern VAR_REF = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  /** The flags every version gets, with the values a platform engineer would check. */
  private static final List<String> COMMON = List.of(
      "--name=$(POD_NAME)",
      "--data-dir=/var/lib/etcd/data",
      "--listen-peer-urls=http://$(POD_IP):2380",
      "--listen-client-urls=http://$(POD_IP):2379,http://127.0.0.1:2379",
      "--listen-metrics-urls=http://$(POD_IP):2381",
      "--advertise-client-urls=http://$(POD_NAME).main-peer.$(POD_NAMESPACE).svc:2379",
      "--initial-advertise-peer-urls=http://$(POD_NAME).main-peer.$(POD_NAMESPACE).svc:2380",
      "--initial-cluster=$(INITIAL_CLUSTER)",
      "--initial-cluster-state=$(INITIAL_CLUSTER_STATE)",
      "--initial-cluster-token=$(INITIAL_CLUSTER_TOKEN)",
      "--log-outputs=stderr");

  private static List<String> render(String version, Consumer<EtcdClusterSpec> spec) {
    return EtcdFlags.render(blueprint(version, spec));
  }

  private static List<String> render(String version) {
    return render(version, s -> {});
  }

  private static EtcdTuning tuning(Consumer<EtcdTuning> settings) {
    EtcdTuning tuning = new EtcdTuning();
    settings.accept(tuning);
    return tuning;
  }

  private static Map<String, String> extra(String... keyValues) {
    Map<String, String> map = new TreeMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(keyValues[i], keyValues[i + 1]);
    }
    return map;
  }

  private static List<String> names(List<String> args) {
    return args.stream().map(a -> a.substring(2, a.indexOf('='))).toList();
  }

  /** Kubernetes leaves an undefined $(VAR) as literal text, so a typo would reach etcd as a broken URL. */
  static void assertArgsOnlyReferenceDefinedEnv(Container container) {
    Set<String> defined = container.getEnv().stream().map(EnvVar::getName).collect(Collectors.toSet());
    List<String> referenced = new ArrayList<>();
    for (String arg : container.getArgs()) {
      Matcher m = VAR_REF.matcher(arg);
      while (m.find()) {
        referenced.add(m.group(1));
      }
    }
    assertThat(referenced).isNotEmpty();
    assertThat(defined).containsAll(referenced);
  }

  @Test
  void rendersTheExactArgsFor35() {
    assertThat(render("3.5.21")).containsExactlyElementsOf(concat(COMMON,
        List.of("--experimental-initial-corrupt-check=true")));
  }

  /** etcd refuses "https://fd00::5:2380": on IPv6 clusters the pod IP is bracketed in every listen URL. */
  @Test
  void listenUrlsBracketThePodIpOnIpv6Clusters() {
    List<String> args = EtcdFlags.render(blueprint("3.5.21").withPodIpFamily(IpFamily.IPV6));

    assertThat(args).contains("--listen-peer-urls=http://[$(POD_IP)]:2380",
        "--listen-client-urls=http://[$(POD_IP)]:2379,http://127.0.0.1:2379",
        "--listen-metrics-urls=http://[$(POD_IP)]:2381");
    assertThat(args).filteredOn(a -> a.startsWith("--advertise-client-urls")).singleElement().asString()
        .doesNotContain("[");
  }

  @Test
  void version34SwitchesToZapAndUsesTheExperimentalCorruptCheck() {
    assertThat(render("3.4.23")).containsExactlyElementsOf(concat(COMMON.subList(0, 10),
        List.of("--logger=zap", "--log-outputs=stderr", "--experimental-initial-corrupt-check=true")));
  }

  @Test
  void version36UsesTheFeatureGateInsteadOfTheDeprecatedFlag() {
    List<String> args = render("3.6.5");

    assertThat(args).containsExactlyElementsOf(concat(COMMON, List.of("--feature-gates=InitialCorruptCheck=true")));
    assertThat(args).noneMatch(a -> a.startsWith("--experimental-")).noneMatch(a -> a.startsWith("--logger"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"3.4.23", "3.5.10", "3.5.11", "3.5.21", "3.6.0", "3.6.5"})
  void everyExpectedFlagIsPresentExactlyOnce(String version) {
    List<String> names = names(render(version));

    for (String expected : names(COMMON)) {
      assertThat(names).as(expected).containsOnlyOnce(expected);
    }
    assertThat(names).doesNotHaveDuplicates();
  }

  @ParameterizedTest
  @ValueSource(strings = {"3.4.23", "3.5.10", "3.5.21", "3.6.5"})
  void referencesOnlyVariablesTheContainerDefines(String version) {
    ClusterBlueprint bp = blueprint(version, s -> s.setEtcd(tuning(t -> t.setExtraArgs(extra("max-txn-ops", "256")))));

    assertArgsOnlyReferenceDefinedEnv(MemberContainerBuilder.build(bp));
    assertArgsOnlyReferenceDefinedEnv(MemberContainerBuilder.build(bp.withTls(new MemberTls.Mutual("main-server-tls", "main-peer-tls"))));
  }

  @Test
  void typedTuningIsRenderedInEtcdsUnits() {
    List<String> args = render("3.5.21", s -> s.setEtcd(tuning(t -> {
      t.setQuotaBackendBytes(8589934592L);
      t.setHeartbeatIntervalMillis(250);
      t.setElectionTimeoutMillis(2500);
      t.setSnapshotCount(50000L);
      t.setMaxRequestBytes(3145728);
      t.setAutoCompactionMode(EtcdTuning.AutoCompactionMode.periodic);
      t.setAutoCompactionRetention("1h");
      t.setLogLevel(EtcdTuning.LogLevel.debug);
    })));

    assertThat(args).contains(
        "--log-level=debug",
        "--quota-backend-bytes=8589934592",
        "--heartbeat-interval=250",
        "--election-timeout=2500",
        "--snapshot-count=50000",
        "--max-request-bytes=3145728",
        "--auto-compaction-mode=periodic",
        "--auto-compaction-retention=1h");
    assertThat(names(args)).doesNotHaveDuplicates();
  }

  @Test
  void unsetTuningLeavesEtcdDefaults() {
    assertThat(names(render("3.5.21"))).doesNotContain("log-level", "quota-backend-bytes", "heartbeat-interval",
        "election-timeout", "snapshot-count", "max-request-bytes", "auto-compaction-mode",
        "auto-compaction-retention");
  }

  @Test
  void extraArgsComeLastInKeyOrder() {
    List<String> args = render("3.5.21", s -> s.setEtcd(tuning(t -> t.setExtraArgs(extra(
        "max-txn-ops", "256", "experimental-corrupt-check-time", "4h", "backend-batch-limit", "1000")))));

    assertThat(args.subList(args.size() - 3, args.size())).containsExactly(
        "--backend-batch-limit=1000", "--experimental-corrupt-check-time=4h", "--max-txn-ops=256");
  }

  @Test
  void extraArgsCannotOverrideManagedFlags() {
    List<String> args = render("3.5.21", s -> s.setEtcd(tuning(t -> {
      t.setLogLevel(EtcdTuning.LogLevel.info);
      t.setExtraArgs(extra("name", "evil", "--data-dir", "/tmp", "log-level", "debug", "logger", "capnslog",
          "listen-metrics-urls", "https://0.0.0.0:2381", "max-txn-ops", "256"));
    })));

    assertThat(args).contains("--name=$(POD_NAME)", "--data-dir=/var/lib/etcd/data", "--log-level=info",
        "--listen-metrics-urls=http://$(POD_IP):2381", "--max-txn-ops=256");
    assertThat(args).noneMatch(a -> a.contains("evil") || a.contains("/tmp") || a.contains("capnslog"));
    assertThat(names(args)).doesNotHaveDuplicates();
  }

  @ParameterizedTest
  @ValueSource(strings = {"3.4.23", "3.5.21", "3.6.5"})
  void noFlagIsEverDuplicatedWhateverTheSpecSays(String version) {
    Map<String, String> everything = new TreeMap<>();
    ManagedEtcdFlags.NAMES.forEach(n -> everything.put(n, "x"));
    ManagedEtcdFlags.NAMES.forEach(n -> everything.put("--" + n, "y"));
    everything.putAll(extra("feature-gates", "StopGRPCServiceOnDefrag=true", "max-txn-ops", "256"));

    List<String> args = render(version, s -> s.setEtcd(tuning(t -> {
      t.setLogLevel(EtcdTuning.LogLevel.warn);
      t.setQuotaBackendBytes(1L);
      t.setExtraArgs(everything);
    })));

    assertThat(names(args)).doesNotHaveDuplicates();
    assertThat(args).contains("--max-txn-ops=256");
  }

  @Test
  void userFeatureGatesAreMergedWithOursOn36() {
    List<String> args = render("3.6.5", s -> s.setEtcd(tuning(t -> t.setExtraArgs(
        extra("feature-gates", "StopGRPCServiceOnDefrag=true")))));

    assertThat(args).containsOnlyOnce("--feature-gates=InitialCorruptCheck=true,StopGRPCServiceOnDefrag=true");
    assertThat(names(args)).containsOnlyOnce("feature-gates");
  }

  @Test
  void userSettingOfTheCorruptCheckGateWinsOn36() {
    List<String> args = render("3.6.5", s -> s.setEtcd(tuning(t -> t.setExtraArgs(
        extra("feature-gates", "InitialCorruptCheck=false,CompactHashCheck=true")))));

    assertThat(args).containsOnlyOnce("--feature-gates=InitialCorruptCheck=false,CompactHashCheck=true");
  }

  @Test
  void userCanTurnTheCorruptCheckOffBefore36() {
    List<String> args = render("3.5.21", s -> s.setEtcd(tuning(t -> t.setExtraArgs(
        extra("experimental-initial-corrupt-check", "false")))));

    assertThat(args).containsOnlyOnce("--experimental-initial-corrupt-check=false")
        .doesNotContain("--experimental-initial-corrupt-check=true");
  }

  @Test
  void deprecatedCorruptCheckFlagOn36SuppressesOurGate() {
    // 3.6 refuses the experimental flag together with the gate it maps to.
    List<String> args = render("3.6.5", s -> s.setEtcd(tuning(t -> t.setExtraArgs(
        extra("experimental-initial-corrupt-check", "true")))));

    assertThat(names(args)).doesNotContain("feature-gates").containsOnlyOnce("experimental-initial-corrupt-check");
  }

  @Test
  void mutualTlsTurnsOnCertificatesAndClientCertificateAuthForClientsAndPeers() {
    List<String> args = EtcdFlags.render(blueprint().withTls(new MemberTls.Mutual("main-server-tls", "main-peer-tls")));

    assertThat(args).contains(
        "--cert-file=/etc/etcd/tls/server/tls.crt", "--key-file=/etc/etcd/tls/server/tls.key",
        "--trusted-ca-file=/etc/etcd/tls/server/ca.crt", "--client-cert-auth=true",
        "--peer-cert-file=/etc/etcd/tls/peer/tls.crt", "--peer-key-file=/etc/etcd/tls/peer/tls.key",
        "--peer-trusted-ca-file=/etc/etcd/tls/peer/ca.crt", "--peer-client-cert-auth=true");
    assertThat(EtcdFlags.render(blueprint())).noneMatch(a -> a.contains("cert") && !a.contains("corrupt"));
    assertThat(args).noneMatch(a -> a.startsWith("--peer-cert-allowed-cn"));
    assertThat(EtcdFlags.render(blueprint().withTls(new MemberTls.Mutual("main-server-tls", "main-peer-tls",
        java.util.Optional.of("main-peer"))))).contains("--peer-cert-allowed-cn=main-peer");
  }

  @Test
  void httpsSchemeChangesClientAndPeerUrlsButNotMetrics() {
    List<String> args = EtcdFlags.render(blueprint().withTls(new MemberTls.Mutual("main-server-tls", "main-peer-tls")));

    assertThat(args).contains(
        "--listen-peer-urls=https://$(POD_IP):2380",
        "--listen-client-urls=https://$(POD_IP):2379,https://127.0.0.1:2379",
        "--advertise-client-urls=https://$(POD_NAME).main-peer.$(POD_NAMESPACE).svc:2379",
        "--initial-advertise-peer-urls=https://$(POD_NAME).main-peer.$(POD_NAMESPACE).svc:2380",
        "--listen-metrics-urls=http://$(POD_IP):2381");
  }

  @Test
  void advertisedPeerUrlMatchesTheOneInTheBootstrapMemberList() {
    ClusterBlueprint bp = blueprint();
    String advertised = EtcdFlags.flags(bp).get("initial-advertise-peer-urls")
        .replace("$(POD_NAME)", bp.names().podName(1)).replace("$(POD_NAMESPACE)", bp.names().namespace());

    assertThat(BootstrapConfig.initial(bp).initialCluster()).contains("main-1=" + advertised);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
