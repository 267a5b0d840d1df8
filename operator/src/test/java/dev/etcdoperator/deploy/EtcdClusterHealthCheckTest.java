package dev.etcdoperator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.api.v1alpha1.EtcdClusterSpec;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.cluster.ClusterStatusCalculator;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.cluster.model.EtcdView;
import dev.etcdoperator.cluster.tls.TlsReasons;
import dev.etcdoperator.cluster.tls.TlsState;
import dev.etcdoperator.deploy.LuaHealthCheck.Health;
import dev.etcdoperator.etcd.ClusterObservation;
import dev.etcdoperator.etcd.EtcdAlarm;
import dev.etcdoperator.etcd.EtcdMember;
import dev.etcdoperator.etcd.MemberProbe;
import dev.etcdoperator.etcd.MemberStatus;
import dev.etcdoperator.resources.MemberTls;
import dev.etcdoperator.support.EtcdVersion;
import dev.etcdoperator.support.VersionAdvisories;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * deploy/argocd's EtcdCluster health check on statuses computed by the operator's own {@link ClusterStatusCalculator}:
 * every condition reason the operator has maps to a health chosen here on purpose, so a new reason cannot fall
 * through to whatever the script happens to do with it.
 */
class EtcdClusterHealthCheckTest {
  private static final LuaHealthCheck CHECK = LuaHealthCheck.of("etcdoperator.dev", "EtcdCluster");
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-01T10:00:00Z"), ZoneOffset.UTC);
  private static final String HEALTHY = "Healthy";
  private static final String PROGRESSING = "Progressing";
  private static final String DEGRADED = "Degraded";
  private static final String SUSPENDED = "Suspended";

  /** Each reason, a status in which the operator reports it, and the health Argo CD should show for that status. */
  private record Sample(Supplier<EtcdClusterStatus> status, String health) {}

  private static Map<String, Sample> samples() {
    Map<String, Sample> s = new LinkedHashMap<>();
    // Settled and healthy: the reasons of a Ready cluster's conditions.
    for (String reason : List.of(Reason.ALL_MEMBERS_HEALTHY, Reason.RECONCILED, Reason.AS_EXPECTED,
        Reason.QUORUM_HEALTHY, Reason.SUPPORTED_VERSION)) {
      s.put(reason, new Sample(() -> status(new ClusterStep.Done(), healthy(), 3), HEALTHY));
    }
    // Work under way (Progressing True with the step's reason).
    for (String reason : List.of(Reason.CREATING_RESOURCES, Reason.UPDATING_RESOURCES)) {
      s.put(reason, new Sample(() -> status(new ClusterStep.ApplyObjects(List.of(), reason), healthy(), 3),
          PROGRESSING));
    }
    for (String reason : List.of(Reason.WAITING_FOR_PODS, Reason.BOOTSTRAPPING, "Defragmenting")) {
      s.put(reason, new Sample(() -> status(new ClusterStep.Wait(Duration.ofSeconds(5), reason, "waiting"),
          new EtcdView.NotContacted(), 0, false), PROGRESSING));
    }
    for (String reason : List.of(Reason.SCALING_OUT, Reason.SCALING_IN, Reason.REPLACING_MEMBER)) {
      s.put(reason, new Sample(() -> status(new ClusterStep.ChangeMembership(
          new dev.etcdoperator.cluster.model.MembershipAction.Promote("main-2", 0x12L), reason, "one member at a time"),
          oneDown(), 2), PROGRESSING));
    }
    s.put(Reason.ROLLING_OUT, new Sample(() -> status(new ClusterStep.RestartMember("main-1", "uid", Reason.ROLLING_OUT,
        "restarting main-1"), oneDown(), 2), PROGRESSING));
    s.put(Reason.EXPANDING_STORAGE, new Sample(() -> status(new ClusterStep.ExpandStorage(
        new io.fabric8.kubernetes.api.model.Quantity("16Gi")), healthy(), 3), PROGRESSING));
    s.put(Reason.RESTORING, new Sample(() -> status(new ClusterStep.Wait(Duration.ofSeconds(5), Reason.RESTORING,
        "restore pods run"), new EtcdView.NotContacted(), 0, false), PROGRESSING));
    // A pause: nothing changes on purpose.
    s.put(Reason.PAUSED, new Sample(() -> status(new ClusterStep.Halt(Reason.PAUSED, "spec.paused is true"),
        healthy(), 3), SUSPENDED));
    // The operator stopped and waits for a person (Halt), or etcd cannot serve as asked.
    for (String reason : List.of(Reason.INVALID_SPEC, Reason.APPLY_REJECTED, Reason.ROLLOUT_STALLED,
        Reason.UPGRADE_SNAPSHOT_FAILED, Reason.DOWNGRADE_BLOCKED, Reason.MEMBERSHIP_CHANGE_BLOCKED,
        Reason.RESTORE_FAILED, Reason.CERTIFICATES_NOT_READY)) {
      s.put(reason, new Sample(() -> status(new ClusterStep.Halt(reason, "stopped: " + reason), healthy(), 3),
          DEGRADED));
    }
    s.put(Reason.QUORUM_LOST, new Sample(() -> status(new ClusterStep.Done(), twoDown(), 1), DEGRADED));
    s.put(Reason.ETCD_UNREACHABLE, new Sample(() -> status(new ClusterStep.Done(),
        new EtcdView.Unreachable("connection refused"), 0), DEGRADED));
    s.put(Reason.MEMBERS_UNHEALTHY, new Sample(() -> status(new ClusterStep.Done(), oneDown(), 2), DEGRADED));
    s.put(Reason.NO_SPACE, new Sample(() -> status(new ClusterStep.Done(), alarmed(EtcdAlarm.NOSPACE), 3), DEGRADED));
    s.put(Reason.CORRUPT, new Sample(() -> status(new ClusterStep.Done(), alarmed(EtcdAlarm.CORRUPT), 3), DEGRADED));
    s.put(Reason.VERSION_MISMATCH, new Sample(() -> ClusterStatusCalculator.compute(new ClusterStatusCalculator.Input(
        cluster(), new ClusterStep.Done(), healthy(), 3, 3, "app=etcd", true, Optional.empty(), Map.of(),
        EtcdVersion.parse("3.5.30")), CLOCK), DEGRADED));
    // Reasons of conditions about something beside the cluster's health (placement, backups, the etcd release,
    // Events): they leave a healthy cluster Healthy; alerts, not Argo CD, are where they belong.
    for (String reason : List.of(Reason.NODE_LOSS_TOLERATED, Reason.MEMBERS_SHARE_A_NODE, Reason.LAST_BACKUP_SUCCEEDED,
        Reason.LAST_BACKUP_FAILED, Reason.SCHEDULE_FAILED, Reason.CLUSTER_FORMED, VersionAdvisories.OUT_OF_SUPPORT,
        VersionAdvisories.SECURITY_FIX_MISSING,
        // the Defragmenting condition (maintenance: a failed member is retried; alerts watch the database size)
        Reason.DEFRAGMENTATION_FAILED, Reason.DEFRAGMENTATION_WAITS_FOR_CHANGE,
        Reason.DEFRAGMENTATION_WAITS_FOR_HEALTH, Reason.NOT_DUE, Reason.NOTHING_TO_RECLAIM,
        // the MonitoringReady condition (scrape objects)
        Reason.POD_MONITOR_CRD_MISSING, Reason.POD_MONITOR_CREATED, Reason.POD_MONITOR_REJECTED)) {
      s.put(reason, new Sample(() -> withExtraCondition(status(new ClusterStep.Done(), healthy(), 3), reason),
          HEALTHY));
    }
    return s;
  }

  @Test
  void everyReasonTheOperatorHasMapsToADeliberateHealth() throws IllegalAccessException {
    Set<String> reasons = new TreeSet<>(constants(Reason.class));
    reasons.addAll(List.of(VersionAdvisories.OUT_OF_SUPPORT, VersionAdvisories.SECURITY_FIX_MISSING, "Defragmenting"));
    assertThat(samples().keySet()).as("reasons with a deliberate Argo CD health (add the new one to samples())")
        .containsExactlyInAnyOrderElementsOf(reasons);
  }

  @Test
  void statusesTheOperatorComputesShowTheirHealth() {
    List<String> wrong = new ArrayList<>();
    samples().forEach((reason, sample) -> {
      EtcdClusterStatus status = sample.status().get();
      Health health = CHECK.run(withStatus(status));
      if (!sample.health().equals(health.status())) {
        wrong.add(reason + ": " + health + " for conditions " + status.getConditions());
      }
    });
    assertThat(wrong).isEmpty();
  }

  /** CertificatesReady False is Degraded, except with TLS disabled on purpose, which is reported but fine. */
  @Test
  void certificateProblemsAreDegradedButDisabledTlsIsNot() throws IllegalAccessException {
    for (String reason : constants(TlsReasons.class)) {
      for (boolean ready : List.of(true, false)) {
        TlsState tls = new TlsState(new MemberTls.Plain(), List.of(), List.of(), Optional.empty(), List.of(), ready,
            reason, "certificates: " + reason);
        EtcdClusterStatus status = ClusterStatusCalculator.compute(new ClusterStatusCalculator.Input(cluster(),
            new ClusterStep.Done(), healthy(), 3, 3, "app=etcd", true, Optional.of(tls), Map.of()), CLOCK);
        String expected = ready || reason.equals("TLSDisabled") ? HEALTHY : DEGRADED;
        assertThat(CHECK.run(withStatus(status)).status()).as("CertificatesReady %s %s", ready, reason)
            .isEqualTo(expected);
      }
    }
  }

  @Test
  void aSpecTheOperatorHasNotSeenYetIsProgressing() {
    EtcdCluster cluster = withStatus(status(new ClusterStep.Done(), healthy(), 3));
    cluster.getMetadata().setGeneration(5L);
    assertThat(CHECK.run(cluster)).isEqualTo(new Health(PROGRESSING,
        "Waiting for the operator to observe generation 5"));
    assertThat(CHECK.run(cluster()).status()).isEqualTo(PROGRESSING);
  }

  // ---------------------------------------------------------------------------------------------------------------

  private static EtcdCluster cluster() {
    EtcdCluster cluster = new EtcdCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName("main").withNamespace("db").withGeneration(2L).build());
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setReplicas(3);
    cluster.setSpec(spec);
    return cluster;
  }

  private static EtcdCluster withStatus(EtcdClusterStatus status) {
    EtcdCluster cluster = cluster();
    cluster.setStatus(status);
    return cluster;
  }

  private static EtcdClusterStatus status(ClusterStep step, EtcdView etcd, int readyPods) {
    return status(step, etcd, readyPods, true);
  }

  private static EtcdClusterStatus status(ClusterStep step, EtcdView etcd, int readyPods, boolean formed) {
    return ClusterStatusCalculator.compute(new ClusterStatusCalculator.Input(cluster(), step, etcd, 3, readyPods,
        "app=etcd", formed), CLOCK);
  }

  private static EtcdClusterStatus withExtraCondition(EtcdClusterStatus status, String reason) {
    List<io.fabric8.kubernetes.api.model.Condition> conditions = new ArrayList<>(status.getConditions());
    conditions.add(new ConditionBuilder().withType("Aside").withStatus("False").withReason(reason)
        .withMessage("about something else").build());
    status.setConditions(conditions);
    return status;
  }

  private static URI client(int ordinal) {
    return URI.create("https://main-" + ordinal + ".main-peer.db.svc:2379");
  }

  private static EtcdView.Reached view(List<Boolean> healthy, List<EtcdAlarm> alarms) {
    List<EtcdMember> members = new ArrayList<>();
    Map<URI, MemberProbe> probes = new LinkedHashMap<>();
    Map<String, URI> endpoints = new LinkedHashMap<>();
    for (int i = 0; i < healthy.size(); i++) {
      long id = 0x10L + i;
      members.add(new EtcdMember(id, "main-" + i, List.of(URI.create("https://main-" + i + ".main-peer.db.svc:2380")),
          List.of(client(i)), false));
      endpoints.put("main-" + i, client(i));
      probes.put(client(i), healthy.get(i)
          ? new MemberProbe(client(i), Optional.of(new MemberStatus(client(i), id, "3.5.21", 4096, 2048, 0x10L, 100, 2,
              List.of())), true, Optional.empty())
          : new MemberProbe(client(i), Optional.empty(), false, Optional.of("connection refused")));
    }
    return new EtcdView.Reached(new ClusterObservation(0xabcL, members, probes, alarms), endpoints, null);
  }

  private static EtcdView.Reached healthy() {
    return view(List.of(true, true, true), List.of());
  }

  private static EtcdView.Reached oneDown() {
    return view(List.of(true, true, false), List.of());
  }

  private static EtcdView.Reached twoDown() {
    return view(List.of(true, false, false), List.of());
  }

  private static EtcdView.Reached alarmed(String alarm) {
    return view(List.of(true, true, true), List.of(new EtcdAlarm(0x10L, alarm)));
  }

  /** The String constants a class declares (package-private ones included): reasons as the operator spells them. */
  private static List<String> constants(Class<?> holder) throws IllegalAccessException {
    List<String> values = new ArrayList<>();
    for (Field field : holder.getDeclaredFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
        field.setAccessible(true);
        values.add((String) field.get(null));
      }
    }
    return values;
  }
}
