package dev.etcdoperator.pki;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When a certificate should be replaced: once no more than {@code renewWhenRemainingFraction} of its lifetime
 * remains, and always when it is expired or not yet valid (a certificate from a clock far ahead is as useless as an
 * expired one). Pure; the caller supplies the {@link Clock}.
 *
 * @param renewWhenRemainingFraction share of the lifetime left at which renewal is due, strictly between 0 and 1
 */
public record RenewalPolicy(double renewWhenRemainingFraction) {

  /** Default CA validity: five years (of 365 days). */
  public static final Duration DEFAULT_CA_VALIDITY = Duration.ofDays(5 * 365);
  /** Default leaf validity: one year. */
  public static final Duration DEFAULT_LEAF_VALIDITY = Duration.ofDays(365);
  /** Renew when a third of the lifetime remains: four months for a one-year leaf, 20 months for the CA. */
  public static final double DEFAULT_RENEW_WHEN_REMAINING_FRACTION = 1.0 / 3;
  public static final RenewalPolicy DEFAULT = new RenewalPolicy(DEFAULT_RENEW_WHEN_REMAINING_FRACTION);

  public RenewalPolicy {
    if (!(renewWhenRemainingFraction > 0 && renewWhenRemainingFraction < 1)) {
      throw new IllegalArgumentException("renewWhenRemainingFraction must be between 0 and 1 (exclusive), got "
          + renewWhenRemainingFraction);
    }
  }

  /**
   * The policy for an API that says "renew this long before expiry" instead of a share.
   *
   * @throws IllegalArgumentException unless 0 &lt; renewBefore &lt; validity
   */
  public static RenewalPolicy renewBefore(Duration renewBefore, Duration validity) {
    Objects.requireNonNull(renewBefore, "renewBefore");
    Objects.requireNonNull(validity, "validity");
    if (renewBefore.isNegative() || renewBefore.isZero() || renewBefore.compareTo(validity) >= 0) {
      throw new IllegalArgumentException("renewBefore (" + renewBefore + ") must be positive and shorter than the "
          + "validity (" + validity + ")");
    }
    return new RenewalPolicy((double) renewBefore.toMillis() / validity.toMillis());
  }

  /** True at and after {@link #dueAt}, and whenever {@code clock} is outside the certificate's validity. */
  public boolean isDue(CertificateInfo certificate, Clock clock) {
    Instant now = clock.instant();
    return !certificate.isValidAt(now) || !now.isBefore(dueAt(certificate));
  }

  /** The instant renewal becomes due: notAfter minus the configured share of the lifetime. */
  public Instant dueAt(CertificateInfo certificate) {
    long lifetimeMillis = certificate.lifetime().toMillis();
    return certificate.notAfter().minusMillis(Math.round(lifetimeMillis * renewWhenRemainingFraction));
  }
}
