package dev.etcdoperator.resources;

import static dev.etcdoperator.testing.TestClusters.blueprint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdTuning;
import dev.etcdoperator.testing.EtcdReleases;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every flag the operator renders for a minor is one that minor's etcd accepts: asked of the real binary's
 * {@code etcd --help} for each release on this machine (3.4, 3.5), and checked against recorded lists for 3.6 and
 * 3.7, which no registry here has binaries of ({@code src/test/resources/etcd-flags}, each naming its source).
 * Rendered with every setting that adds a flag: TLS with a peer CN, all typed tuning.
 */
class EtcdFlagsAcceptedTest {
  private static final Pattern HELP_FLAG = Pattern.compile("(?m)^\\s+--([a-z0-9-]+)");

  static List<EtcdReleases.Release> releases() {
    return EtcdReleases.available().all();
  }

  @ParameterizedTest(name = "etcd {0}")
  @MethodSource("releases")
  void theRealBinaryAcceptsEveryRenderedFlag(EtcdReleases.Release release) throws Exception {
    Set<String> accepted = helpFlags(release);
    assertThat(accepted).as("etcd --help lists flags").hasSizeGreaterThan(50);

    assertThat(renderedNames(release.version().toString())).allSatisfy(flag -> assertThat(accepted)
        .as("--%s, rendered for etcd %s", flag, release).contains(flag));
  }

  @ParameterizedTest(name = "etcd {0}")
  @ValueSource(strings = {"3.6.0", "3.6.16", "3.7.0", "3.7.2"})
  void theRecordedFlagListOfANewerMinorHasEveryRenderedFlag(String version) throws IOException {
    String minor = version.substring(0, version.lastIndexOf('.'));
    Set<String> accepted = recorded(minor);

    assertThat(renderedNames(version)).allSatisfy(flag -> assertThat(accepted)
        .as("--%s, rendered for etcd %s", flag, version).contains(flag));
    if (minor.equals("3.7")) {
      assertThat(renderedNames(version)).as("3.7 refuses the decommissioned experimental flags")
          .noneMatch(flag -> flag.startsWith("experimental-"));
    }
  }

  private static List<String> renderedNames(String version) {
    ClusterBlueprint bp = blueprint(version, s -> {
      EtcdTuning tuning = new EtcdTuning();
      tuning.setQuotaBackendBytes(8589934592L);
      tuning.setHeartbeatIntervalMillis(250);
      tuning.setElectionTimeoutMillis(2500);
      tuning.setSnapshotCount(50000L);
      tuning.setMaxRequestBytes(3145728);
      tuning.setAutoCompactionMode(EtcdTuning.AutoCompactionMode.periodic);
      tuning.setAutoCompactionRetention("1h");
      tuning.setLogLevel(EtcdTuning.LogLevel.info);
      s.setEtcd(tuning);
    }).withTls(new MemberTls.Mutual("main-server-tls", "main-peer-tls", Optional.of("main-peer")));
    return EtcdFlags.render(bp).stream().map(arg -> arg.substring(2, arg.indexOf('='))).toList();
  }

  private static Set<String> helpFlags(EtcdReleases.Release release) throws IOException, InterruptedException {
    Process help = new ProcessBuilder(release.etcd(), "--help").redirectErrorStream(true).start();
    String out = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(help.waitFor(10, TimeUnit.SECONDS)).isTrue();
    Matcher flags = HELP_FLAG.matcher(out);
    Set<String> names = new java.util.TreeSet<>();
    while (flags.find()) {
      names.add(flags.group(1));
    }
    return names;
  }

  private static Set<String> recorded(String minor) throws IOException {
    try (InputStream in = Objects.requireNonNull(EtcdFlagsAcceptedTest.class.getResourceAsStream(
        "/etcd-flags/" + minor + ".txt"), "no recorded flag list for " + minor)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toSet());
    }
  }
}
