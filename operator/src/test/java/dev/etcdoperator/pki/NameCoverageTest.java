package dev.etcdoperator.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NameCoverageTest {

  private static final List<String> DNS = List.of("*.main-peer.ns.svc", "main.ns.svc", "localhost");
  private static final List<String> IPS = List.of("127.0.0.1", "0:0:0:0:0:0:0:1");

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "main-0.main-peer.ns.svc, true",
      "MAIN-0.Main-Peer.ns.svc, true",
      "main-0.main-peer.ns.svc., true",
      "main-peer.ns.svc, false",
      "a.main-0.main-peer.ns.svc, false",
      "*.main-peer.ns.svc, true",
      "*.ns.svc, false",
      "main.ns.svc, true",
      "x.main.ns.svc, false",
      "localhost, true",
      "127.0.0.1, true",
      "::1, true",
      "127.0.0.2, false",
      "main-0.main-peer.ns.svc.cluster.local, false"})
  void coversLikeTls(String name, boolean covered) {
    assertThat(NameCoverage.covers(DNS, IPS, name)).isEqualTo(covered);
  }
}
