package dev.etcdoperator.cluster.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.CertificateStatus;
import dev.etcdoperator.pki.CertificateInfo;
import dev.etcdoperator.pki.EtcdCertificateSet;
import dev.etcdoperator.pki.KeyAlgorithm;
import dev.etcdoperator.pki.RenewalPolicy;
import dev.etcdoperator.resources.ClusterBlueprint;
import dev.etcdoperator.resources.MemberTls;
import dev.etcdoperator.resources.TlsSecretBuilder;
import dev.etcdoperator.testing.TestClusters;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class OperatorIssuedCertificatesTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final ClusterBlueprint BLUEPRINT = TestClusters.blueprint();
  private static final EtcdCertificateSet SET = new EtcdCertificateSet("main", "db", "cluster.local",
      KeyAlgorithm.ECDSA_P256, Duration.ofDays(1825), Duration.ofDays(365));

  /** The Secrets as the API server holds them after each write. */
  private final Map<String, Secret> store = new HashMap<>();

  private TlsState reconcileAt(Instant now, EtcdCertificateSet set, List<String> clients) {
    return reconcileAt(now, set, clients, java.util.Optional.empty(), generation -> true);
  }

  private TlsState reconcileAt(Instant now, EtcdCertificateSet set, List<String> clients,
      java.util.Optional<String> rotationRequest, java.util.function.Predicate<String> membersRun) {
    return reconcileAt(now, set, clients, rotationRequest, membersRun, Duration.ZERO);
  }

  private TlsState reconcileAt(Instant now, EtcdCertificateSet set, List<String> clients,
      java.util.Optional<String> rotationRequest, java.util.function.Predicate<String> membersRun,
      Duration rotationStep) {
    TlsState state = new OperatorIssuedCertificates(Clock.fixed(now, ZoneOffset.UTC))
        .plan(BLUEPRINT, set, RenewalPolicy.DEFAULT, clients, store::get, rotationRequest, membersRun, rotationStep);
    state.toWrite().forEach(s -> store.put(s.getMetadata().getName(), s));
    return state;
  }

  private String text(String secret, String key) {
    return TlsSecretBuilder.text(store.get(secret), key);
  }

  private static String generation(TlsState state) {
    return ((MemberTls.Mutual) state.memberTls()).trustGeneration();
  }

  /**
   * The CA Secret of a cluster whose members have certificates is deleted: a new CA would re-sign every member at
   * once, and members that trust only the old CA would reject each other. Nothing is minted nor re-issued; the
   * condition says what happened and what to do.
   */
  @Test
  void aDeletedCaIsNotReplacedWhileMembersHoldCertificatesOfIt() {
    reconcileAt(START, SET, List.of());
    Map<String, Secret> before = Map.copyOf(store);
    store.remove("main-ca");

    TlsState state = reconcileAt(START.plus(Duration.ofDays(1)), SET, List.of());

    assertThat(state.ready()).isFalse();
    assertThat(state.reason()).isEqualTo("CAMissing");
    assertThat(state.message()).contains("Secret main-ca is gone").contains("main-server-tls");
    assertThat(state.toWrite()).isEmpty();
    assertThat(state.operatorClient()).isEmpty();
    before.forEach((name, secret) -> {
      if (!name.equals("main-ca")) {
        assertThat(store.get(name)).as(name).isEqualTo(secret);
      }
    });
  }

  @Test
  void aRequestedCaRotationTrustsBothThenSignsWithTheNewCaThenDropsTheOldOneStepPerRollout() {
    TlsState initial = reconcileAt(START, SET, List.of());
    String oldCa = text("main-ca", TlsSecretBuilder.CA_CERT);
    String oldServer = text("main-server-tls", TlsSecretBuilder.TLS_CERT);
    java.util.Optional<String> request = java.util.Optional.of("2026-11-21");

    TlsState trustBoth = reconcileAt(START, SET, List.of(), request, g -> g.equals(generation(initial)));
    assertThat(trustBoth.issued()).contains("ca rotation started on request: the members trust the old and the new "
        + "CA (step 1 of 3)");
    String newCa = text("main-ca", TlsSecretBuilder.NEXT_CA_CERT);
    assertThat(newCa).isNotBlank().isNotEqualTo(oldCa);
    assertThat(CertificateInfo.parseAll(text("main-server-tls", TlsSecretBuilder.CA_CERT))).hasSize(2);
    assertThat(text("main-server-tls", TlsSecretBuilder.TLS_CERT)).as("still signed by the old CA").isEqualTo(oldServer);
    assertThat(generation(trustBoth)).isNotEqualTo(generation(initial));
    assertThat(trustBoth.message()).contains("CA rotation step 1 of 3");

    TlsState waiting = reconcileAt(START, SET, List.of(), request, g -> false);
    assertThat(waiting.toWrite()).as("nothing moves until the members run step 1").isEmpty();
    assertThat(generation(waiting)).isEqualTo(generation(trustBoth));

    TlsState newSigns = reconcileAt(START, SET, List.of(), request, g -> g.equals(generation(trustBoth)));
    assertThat(text("main-ca", TlsSecretBuilder.CA_CERT)).isEqualTo(newCa);
    assertThat(text("main-ca", TlsSecretBuilder.PREVIOUS_CA_CERT)).isEqualTo(oldCa);
    assertThat(text("main-ca", TlsSecretBuilder.NEXT_CA_CERT)).isEmpty();
    assertThat(newSigns.issued()).contains("server renewed", "peer renewed", "operator-client renewed");
    assertThat(text("main-server-tls", TlsSecretBuilder.TLS_CERT)).isNotEqualTo(oldServer);
    assertThat(CertificateInfo.parseAll(text("main-server-tls", TlsSecretBuilder.CA_CERT))).hasSize(2);
    assertThat(generation(newSigns)).isNotEqualTo(generation(trustBoth));

    TlsState done = reconcileAt(START, SET, List.of(), request, g -> g.equals(generation(newSigns)));
    assertThat(text("main-ca", TlsSecretBuilder.PREVIOUS_CA_CERT)).isEmpty();
    assertThat(text("main-server-tls", TlsSecretBuilder.CA_CERT).strip()).isEqualTo(newCa.strip());
    assertThat(generation(done)).isNotEqualTo(generation(newSigns));
    assertThat(done.issued()).contains("ca rotation: the old CA is no longer trusted (step 3 of 3, done)");

    assertThat(reconcileAt(START, SET, List.of(), request, g -> true).toWrite())
        .as("the same request rotates once").isEmpty();
  }

  /**
   * Members can roll through a step in seconds; clients outside the cluster load the CA bundle and their
   * certificates on their own schedule. Each step lasts its minimum however fast the members are.
   */
  @Test
  void eachRotationStepLastsAtLeastItsMinimumOnceTheMembersRunIt() {
    Duration minimum = Duration.ofMinutes(10);
    java.util.Optional<String> request = java.util.Optional.of("rotation-1");
    reconcileAt(START, SET, List.of());
    TlsState trustBoth = reconcileAt(START, SET, List.of(), request, g -> true, minimum);
    assertThat(trustBoth.issued()).anyMatch(i -> i.endsWith("(step 1 of 3)"));

    TlsState early = reconcileAt(START.plusSeconds(30), SET, List.of(), request, g -> true, minimum);
    assertThat(early.toWrite()).as("the members run step 1, but clients had 30 s only").isEmpty();
    assertThat(early.message()).endsWith("not before " + START.plus(minimum));

    TlsState newSigns = reconcileAt(START.plus(minimum), SET, List.of(), request, g -> true, minimum);
    assertThat(newSigns.issued()).contains("ca rotation: the new CA signs (step 2 of 3)");
    assertThat(reconcileAt(START.plus(minimum).plusSeconds(599), SET, List.of(), request, g -> true, minimum)
        .toWrite()).isEmpty();
    assertThat(reconcileAt(START.plus(minimum.multipliedBy(2)), SET, List.of(), request, g -> true, minimum)
        .issued()).contains("ca rotation: the old CA is no longer trusted (step 3 of 3, done)");
  }

  @Test
  void aCaDueForRenewalStartsARotationByItself() {
    reconcileAt(START, SET, List.of());
    TlsState due = reconcileAt(START.plus(Duration.ofDays(1500)), SET, List.of());
    assertThat(due.issued()).contains("ca rotation started: the CA is due for renewal: the members trust the old "
        + "and the new CA (step 1 of 3)");
  }

  @Test
  void firstReconcileIssuesTheCaAndEveryLeafSignedByIt() {
    TlsState state = reconcileAt(START, SET, List.of("app"));

    assertThat(state.toWrite()).extracting(s -> s.getMetadata().getName()).containsExactly(
        "main-ca", "main-server-tls", "main-peer-tls", "main-operator-client-tls", "main-client-app");
    assertThat(state.issued()).contains("ca issued", "server issued", "client-app issued");
    assertThat(state.ready()).isTrue();
    // Only the operator's peer certificates may speak raft, not an application's certificate from the same CA.
    assertThat(state.memberTls()).isEqualTo(new MemberTls.Mutual("main-server-tls", "main-peer-tls",
        java.util.Optional.of("main-peer"), generation(state)));
    assertThat(generation(state)).isNotBlank();
    String caPem = TlsSecretBuilder.text(store.get("main-ca"), TlsSecretBuilder.CA_CERT);
    for (String leaf : List.of("main-server-tls", "main-peer-tls", "main-operator-client-tls", "main-client-app")) {
      Secret secret = store.get(leaf);
      assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
      assertThat(TlsSecretBuilder.text(secret, TlsSecretBuilder.CA_CERT)).isEqualTo(caPem);
      assertThat(CertificateInfo.parse(TlsSecretBuilder.text(secret, TlsSecretBuilder.TLS_CERT)).issuerCommonName())
          .isEqualTo("main-ca");
    }
    assertThat(CertificateInfo.parse(TlsSecretBuilder.text(store.get("main-client-app"), TlsSecretBuilder.TLS_CERT))
        .subjectCommonName()).isEqualTo("app");
    assertThat(state.operatorClient()).hasValueSatisfying(p -> assertThat(p.caPem()).isEqualTo(caPem));
    assertThat(state.operatorClient().get().toString()).doesNotContain("PRIVATE KEY");
  }

  @Test
  void certificatesThatFitAreLeftAloneAndStatusShowsExpiryAndRenewal() {
    reconcileAt(START, SET, List.of());
    TlsState later = reconcileAt(START.plus(Duration.ofDays(100)), SET, List.of());

    assertThat(later.toWrite()).isEmpty();
    CertificateStatus server = later.certificates().stream().filter(c -> c.getName().equals("server"))
        .findFirst().orElseThrow();
    Instant notAfter = Instant.parse(server.getNotAfter());
    assertThat(notAfter).isBetween(START.plus(Duration.ofDays(364)), START.plus(Duration.ofDays(366)));
    assertThat(Instant.parse(server.getRenewAt())).isBetween(notAfter.minus(Duration.ofDays(123)),
        notAfter.minus(Duration.ofDays(120)));
    assertThat(later.certificates()).extracting(CertificateStatus::getName)
        .containsExactly("ca", "server", "peer", "operator-client");
  }

  @Test
  void leavesAreRenewedWhenAThirdOfTheirLifetimeRemainsAndTheCaIsKept() {
    TlsState first = reconcileAt(START, SET, List.of());
    String caBefore = TlsSecretBuilder.text(store.get("main-ca"), TlsSecretBuilder.CA_CERT);
    String serialBefore = serial(first, "server");

    TlsState notYet = reconcileAt(START.plus(Duration.ofDays(240)), SET, List.of());
    TlsState due = reconcileAt(START.plus(Duration.ofDays(250)), SET, List.of());

    assertThat(notYet.toWrite()).isEmpty();
    assertThat(due.toWrite()).extracting(s -> s.getMetadata().getName())
        .containsExactly("main-server-tls", "main-peer-tls", "main-operator-client-tls");
    assertThat(due.issued()).containsExactly("server renewed", "peer renewed", "operator-client renewed");
    assertThat(serial(due, "server")).isNotEqualTo(serialBefore);
    assertThat(TlsSecretBuilder.text(store.get("main-ca"), TlsSecretBuilder.CA_CERT)).isEqualTo(caBefore);
  }

  @Test
  void aLeafThatNoLongerCoversTheClusterIsReissued() {
    reconcileAt(START, SET, List.of());
    EtcdCertificateSet otherDomain = new EtcdCertificateSet("main", "db", "example.internal",
        KeyAlgorithm.ECDSA_P256, Duration.ofDays(1825), Duration.ofDays(365));

    TlsState state = reconcileAt(START.plus(Duration.ofDays(1)), otherDomain, List.of());

    assertThat(state.toWrite()).extracting(s -> s.getMetadata().getName())
        .containsExactly("main-server-tls", "main-peer-tls");
    assertThat(CertificateInfo.parse(TlsSecretBuilder.text(store.get("main-peer-tls"), TlsSecretBuilder.TLS_CERT))
        .dnsNames()).contains("*.main-peer.db.svc.example.internal");
  }

  @Test
  void anUnreadableCaIsReportedAndNeverReplaced() {
    store.put("main-ca", TlsSecretBuilder.authority(BLUEPRINT, "main-ca", "not a certificate", "not a key"));

    TlsState state = reconcileAt(START, SET, List.of());

    assertThat(state.ready()).isFalse();
    assertThat(state.reason()).isEqualTo("CAUnreadable");
    assertThat(state.message()).contains("main-ca");
    assertThat(state.toWrite()).isEmpty();
  }

  /**
   * What one reconcile read is kept for the next ones, by the Secrets' exact content: a Secret changed in between is
   * read afresh. A leaf replaced by one of another CA is re-issued; a CA key swapped for another CA's is reported.
   */
  @Test
  void secretsChangedBetweenReconcilesAreReadAfresh() {
    OperatorIssuedCertificates certificates = new OperatorIssuedCertificates(Clock.fixed(START, ZoneOffset.UTC));
    Supplier<TlsState> reconcile = () -> {
      TlsState state = certificates.plan(BLUEPRINT, SET, RenewalPolicy.DEFAULT, List.of(), store::get,
          Optional.empty(), generation -> true, Duration.ZERO);
      state.toWrite().forEach(secret -> store.put(secret.getMetadata().getName(), secret));
      return state;
    };
    reconcile.get();
    assertThat(reconcile.get().toWrite()).as("nothing changed").isEmpty();
    Map<String, Secret> otherCluster = new HashMap<>();
    new OperatorIssuedCertificates(Clock.fixed(START, ZoneOffset.UTC)).plan(BLUEPRINT, SET, RenewalPolicy.DEFAULT,
        List.of(), otherCluster::get, Optional.empty(), generation -> true, Duration.ZERO).toWrite()
        .forEach(secret -> otherCluster.put(secret.getMetadata().getName(), secret));
    String foreign = TlsSecretBuilder.text(otherCluster.get("main-server-tls"), TlsSecretBuilder.TLS_CERT);

    store.put("main-server-tls", otherCluster.get("main-server-tls"));
    TlsState afterLeafSwap = reconcile.get();

    assertThat(afterLeafSwap.issued()).containsExactly("server renewed");
    assertThat(text("main-server-tls", TlsSecretBuilder.TLS_CERT)).isNotEqualTo(foreign);

    store.put("main-ca", TlsSecretBuilder.authority(BLUEPRINT, "main-ca", text("main-ca", TlsSecretBuilder.CA_CERT),
        TlsSecretBuilder.text(otherCluster.get("main-ca"), TlsSecretBuilder.CA_KEY)));
    TlsState afterKeySwap = reconcile.get();

    assertThat(afterKeySwap.reason()).isEqualTo("CAUnreadable");
    assertThat(afterKeySwap.message()).contains("does not match");
  }

  private static String serial(TlsState state, String name) {
    return state.certificates().stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow().getSerial();
  }
}
