package dev.etcdoperator.pki;

import static dev.etcdoperator.pki.TlsFixtures.NOW;
import static dev.etcdoperator.pki.TlsFixtures.clockAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RenewalPolicyTest {

  /** 300 days from NOW: with the default policy renewal is due at day 200. */
  private static final CertificateInfo LEAF = info(NOW, NOW.plus(Duration.ofDays(300)));

  @Test
  void defaultsAreAThirdOfTheLifetimeFiveYearCasOneYearLeaves() {
    assertThat(RenewalPolicy.DEFAULT.renewWhenRemainingFraction()).isEqualTo(1.0 / 3);
    assertThat(RenewalPolicy.DEFAULT_CA_VALIDITY).isEqualTo(Duration.ofDays(1825));
    assertThat(RenewalPolicy.DEFAULT_LEAF_VALIDITY).isEqualTo(Duration.ofDays(365));
  }

  @Test
  void dueAtIsNotAfterMinusTheShareOfTheLifetime() {
    assertThat(RenewalPolicy.DEFAULT.dueAt(LEAF)).isEqualTo(NOW.plus(Duration.ofDays(200)));
    assertThat(new RenewalPolicy(0.1).dueAt(LEAF)).isEqualTo(NOW.plus(Duration.ofDays(270)));
  }

  @Test
  void decisionsAtChosenInstants() {
    RenewalPolicy policy = RenewalPolicy.DEFAULT;
    Instant due = NOW.plus(Duration.ofDays(200));

    assertThat(policy.isDue(LEAF, clockAt(NOW))).as("fresh").isFalse();
    assertThat(policy.isDue(LEAF, clockAt(NOW.plus(Duration.ofDays(150))))).as("half-way").isFalse();
    assertThat(policy.isDue(LEAF, clockAt(due.minusSeconds(1)))).as("a second before").isFalse();
    assertThat(policy.isDue(LEAF, clockAt(due))).as("at dueAt").isTrue();
    assertThat(policy.isDue(LEAF, clockAt(NOW.plus(Duration.ofDays(299))))).as("last day").isTrue();
    assertThat(policy.isDue(LEAF, clockAt(NOW.plus(Duration.ofDays(301))))).as("expired").isTrue();
    assertThat(policy.isDue(LEAF, clockAt(NOW.minusSeconds(1)))).as("not yet valid").isTrue();
  }

  @Test
  void appliesToIssuedCertificatesUnderTheirOwnClock() {
    CertificateAuthority ca = CertificateAuthority.create("main-ca", KeyAlgorithm.ECDSA_P256,
        RenewalPolicy.DEFAULT_CA_VALIDITY, clockAt(NOW));
    CertificateInfo leaf = ca.issue(EtcdCertificateSet.withDefaults("main", "ns").server()).info();
    Instant dueAt = RenewalPolicy.DEFAULT.dueAt(leaf);

    assertThat(Duration.between(dueAt, leaf.notAfter())).isEqualTo(leaf.lifetime().dividedBy(3));
    assertThat(RenewalPolicy.DEFAULT.isDue(leaf, clockAt(dueAt.minusMillis(1)))).isFalse();
    assertThat(RenewalPolicy.DEFAULT.isDue(leaf, clockAt(dueAt))).isTrue();
    assertThat(RenewalPolicy.DEFAULT.isDue(ca.info(), clockAt(NOW.plus(Duration.ofDays(3 * 365))))).isFalse();
    assertThat(RenewalPolicy.DEFAULT.isDue(ca.info(), clockAt(NOW.plus(Duration.ofDays(4 * 365))))).isTrue();
  }

  @Test
  void renewBeforeTranslatesToAShare() {
    RenewalPolicy policy = RenewalPolicy.renewBefore(Duration.ofDays(30), Duration.ofDays(90));

    assertThat(policy.renewWhenRemainingFraction()).isEqualTo(1.0 / 3);
    assertThatThrownBy(() -> RenewalPolicy.renewBefore(Duration.ofDays(90), Duration.ofDays(90)))
        .hasMessageContaining("shorter than the validity");
  }

  @ParameterizedTest
  @ValueSource(doubles = {0, 1, -0.5, 1.5, Double.NaN})
  void rejectsSharesOutsideTheOpenInterval(double share) {
    assertThatThrownBy(() -> new RenewalPolicy(share)).isInstanceOf(IllegalArgumentException.class);
  }

  private static CertificateInfo info(Instant notBefore, Instant notAfter) {
    return new CertificateInfo("main", "main-ca", "1", notBefore, notAfter, List.of(), List.of(), false,
        Set.of(ExtendedUsage.SERVER_AUTH), Optional.of(KeyAlgorithm.ECDSA_P256), "00");
  }
}
