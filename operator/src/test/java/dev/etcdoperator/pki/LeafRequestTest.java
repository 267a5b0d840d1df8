package dev.etcdoperator.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LeafRequestTest {

  private static final Set<ExtendedUsage> SERVER = Set.of(ExtendedUsage.SERVER_AUTH);

  @Test
  void normalisesNames() {
    LeafRequest request = new LeafRequest("main", List.of("Main.NS.svc", "main.ns.svc", "*.Main-Peer.ns.svc"),
        List.of("127.0.0.1", " ::1 ", "0:0:0:0:0:0:0:1"), SERVER, KeyAlgorithm.DEFAULT, Duration.ofDays(1));

    assertThat(request.dnsNames()).containsExactly("main.ns.svc", "*.main-peer.ns.svc");
    assertThat(request.ipAddresses()).containsExactly("127.0.0.1", "0:0:0:0:0:0:0:1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a..b", "-a.b", "a_b.c", "a.*.b", "*a.b", "*.*.b", "a b", "*"})
  void rejectsInvalidDnsNames(String name) {
    assertThatThrownBy(() -> request(List.of(name), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a valid DNS name");
  }

  @Test
  void rejectsIpAddressesAmongDnsNamesAndViceVersa() {
    assertThatThrownBy(() -> request(List.of("10.0.0.1"), List.of()))
        .hasMessage("'10.0.0.1' is an IP address: put it in ipAddresses");
    assertThatThrownBy(() -> request(List.of(), List.of("localhost")))
        .hasMessageContaining("'localhost' is not an IPv4 or IPv6 address");
    assertThatThrownBy(() -> request(List.of(), List.of("300.1.1.1")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsBadCommonNamesValiditiesAndUsages() {
    assertThatThrownBy(() -> new LeafRequest(" ", List.of(), List.of(), SERVER, KeyAlgorithm.DEFAULT,
        Duration.ofDays(1))).hasMessageContaining("commonName must be 1-64 characters");
    assertThatThrownBy(() -> new LeafRequest("x".repeat(65), List.of(), List.of(), SERVER, KeyAlgorithm.DEFAULT,
        Duration.ofDays(1))).hasMessageContaining("commonName must be 1-64 characters");
    assertThatThrownBy(() -> new LeafRequest("app", List.of(), List.of(), SERVER, KeyAlgorithm.DEFAULT,
        Duration.ZERO)).hasMessageContaining("validity must be positive");
    assertThatThrownBy(() -> new LeafRequest("app", List.of(), List.of(), Set.of(), KeyAlgorithm.DEFAULT,
        Duration.ofDays(1))).hasMessageContaining("at least one extended usage");
  }

  @Test
  void withersKeepEverythingElse() {
    LeafRequest base = request(List.of("a.example"), List.of("10.0.0.1"));

    LeafRequest more = base.withAdditionalNames(List.of("b.example", "a.example"), List.of("10.0.0.2"));
    assertThat(more.dnsNames()).containsExactly("a.example", "b.example");
    assertThat(more.ipAddresses()).containsExactly("10.0.0.1", "10.0.0.2");
    assertThat(more.commonName()).isEqualTo(base.commonName());
    assertThat(base.withValidity(Duration.ofDays(7)).validity()).isEqualTo(Duration.ofDays(7));
    assertThat(base.withKeyAlgorithm(KeyAlgorithm.RSA_3072).keyAlgorithm()).isEqualTo(KeyAlgorithm.RSA_3072);
    assertThat(base.withKeyAlgorithm(KeyAlgorithm.RSA_3072).dnsNames()).isEqualTo(base.dnsNames());
  }

  private static LeafRequest request(List<String> dns, List<String> ips) {
    return new LeafRequest("main", dns, ips, SERVER, KeyAlgorithm.DEFAULT, Duration.ofDays(1));
  }
}
