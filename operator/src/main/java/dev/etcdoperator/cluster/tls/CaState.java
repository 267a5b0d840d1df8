package dev.etcdoperator.cluster.tls;

import dev.etcdoperator.pki.CertificateAuthority;
import dev.etcdoperator.resources.ClusterBlueprint;
import dev.etcdoperator.resources.TlsSecretBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The cluster CA and where a CA rotation stands, as kept in the CA Secret. A rotation has three steps, each rolled
 * out to the members before the next (etcd reads its trusted CAs only at start):
 *
 * <ol>
 *   <li>trust both: a new CA is made; members trust the old and the new one, the old one still signs;</li>
 *   <li>the new CA signs: every certificate is issued anew by it; members still trust both;</li>
 *   <li>the old CA is dropped: members trust the new one only.</li>
 * </ol>
 *
 * @param signing the CA that signs the certificates
 * @param next step 1: the CA that will sign next
 * @param previousPem step 2: the CA that signed before, still trusted
 * <p>Each step lasts at least a minimum time, however fast the members roll: clients outside the cluster load the
 * CA bundle and their certificates on their own schedule, and must have time to pick up each step's.
 *
 * @param handled the last rotation request handled (the value of the cluster's rotation annotation)
 * @param stepSince when the current step of a rotation began
 */
record CaState(CertificateAuthority signing, Optional<CertificateAuthority> next, Optional<String> previousPem,
    String handled, Optional<Instant> stepSince) {

  /** The annotation on an EtcdCluster that asks for a CA rotation; each new value asks once. */
  static final String ROTATE_ANNOTATION = "etcdoperator.dev/rotate-ca";

  static CaState fresh(CertificateAuthority ca) {
    return new CaState(ca, Optional.empty(), Optional.empty(), "", Optional.empty());
  }

  /** @throws IllegalArgumentException when the Secret holds no usable CA */
  static CaState read(Secret secret, Clock clock) {
    CertificateAuthority signing = CertificateAuthority.fromPem(text(secret, TlsSecretBuilder.CA_CERT),
        text(secret, TlsSecretBuilder.CA_KEY), clock);
    Optional<String> nextPem = nonEmpty(secret, TlsSecretBuilder.NEXT_CA_CERT);
    Optional<CertificateAuthority> next = nextPem.map(pem -> CertificateAuthority.fromPem(pem,
        text(secret, TlsSecretBuilder.NEXT_CA_KEY), clock));
    return new CaState(signing, next, nonEmpty(secret, TlsSecretBuilder.PREVIOUS_CA_CERT),
        nonEmpty(secret, TlsSecretBuilder.ROTATION_HANDLED).orElse(""),
        nonEmpty(secret, TlsSecretBuilder.ROTATION_STEP_SINCE).flatMap(CaState::instant));
  }

  /** A step start that does not parse (edited by hand) counts as long ago: the step is not held up forever. */
  private static Optional<Instant> instant(String text) {
    try {
      return Optional.of(Instant.parse(text.strip()));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  Secret toSecret(ClusterBlueprint blueprint, String name) {
    return TlsSecretBuilder.authority(blueprint, name, signing.certificatePem(), signing.privateKeyPem(),
        next.map(CertificateAuthority::certificatePem).orElse(""),
        next.map(CertificateAuthority::privateKeyPem).orElse(""), previousPem.orElse(""), handled,
        stepSince.map(Instant::toString).orElse(""));
  }

  /** The CA bundle members and clients trust ({@code ca.crt}), in a stable order. */
  String bundle() {
    return Stream.of(Optional.of(signing.certificatePem()), next.map(CertificateAuthority::certificatePem),
            previousPem).flatMap(Optional::stream).map(String::strip).sorted()
        .collect(Collectors.joining("\n", "", "\n"));
  }

  /**
   * Changes when what members trust or what signs their certificates changes, i.e. at each step of a rotation: it
   * goes into the pod template, so each step rolls the members.
   */
  String generation() {
    return TrustGeneration.of(bundle()) + "-" + signing.info().sha256Fingerprint().substring(0, 8);
  }

  /** Which step of a rotation this is, for the status; empty when none is under way. */
  Optional<String> step(Duration minimum) {
    String notBefore = stepSince.map(since -> "; the next step once the members run this one, not before "
        + since.plus(minimum)).orElse("");
    if (next.isPresent()) {
      return Optional.of("CA rotation step 1 of 3: the members trust the old and the new CA" + notBefore);
    }
    return previousPem.map(p -> "CA rotation step 2 of 3: the new CA signs, the members still trust the old one"
        + notBefore);
  }

  /**
   * The state after this reconcile: a rotation starts when asked for (a new request, or the CA due for renewal)
   * and none is under way; it moves one step once the members run the current step ({@code settled}) and the step
   * has lasted {@code minimum}.
   *
   * @return the new state and what happened, or empty when nothing changes
   */
  Optional<Transition> advance(Optional<String> request, boolean caDue, boolean settled,
      Supplier<CertificateAuthority> newCa, Instant now, Duration minimum) {
    boolean stepDone = settled && stepSince.map(since -> !now.isBefore(since.plus(minimum))).orElse(true);
    if (next.isPresent()) {
      return stepDone ? Optional.of(new Transition(new CaState(next.get(), Optional.empty(),
          Optional.of(signing.certificatePem()), handled, Optional.of(now)),
          "ca rotation: the new CA signs (step 2 of 3)")) : Optional.empty();
    }
    if (previousPem.isPresent()) {
      return stepDone ? Optional.of(new Transition(new CaState(signing, Optional.empty(), Optional.empty(), handled,
          Optional.empty()), "ca rotation: the old CA is no longer trusted (step 3 of 3, done)")) : Optional.empty();
    }
    boolean asked = request.filter(r -> !r.isBlank() && !r.equals(handled)).isPresent();
    if (asked || caDue) {
      return Optional.of(new Transition(new CaState(signing, Optional.of(newCa.get()), Optional.empty(),
          request.orElse(handled), Optional.of(now)), "ca rotation started" + (asked ? " on request"
              : ": the CA is due for renewal") + ": the members trust the old and the new CA (step 1 of 3)"));
    }
    return Optional.empty();
  }

  /** A step of a rotation: the state after it, and what it did (for the Event). */
  record Transition(CaState state, String what) {}

  private static Optional<String> nonEmpty(Secret secret, String key) {
    return Optional.ofNullable(TlsSecretBuilder.text(secret, key)).filter(t -> !t.isBlank());
  }

  private static String text(Secret secret, String key) {
    return TlsSecretBuilder.text(secret, key);
  }
}
