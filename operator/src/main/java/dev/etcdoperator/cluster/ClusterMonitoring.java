package dev.etcdoperator.cluster;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.MonitoringSpec;
import dev.etcdoperator.resources.PodMonitorBuilder;
import dev.etcdoperator.support.ConditionSet;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * spec.monitoring.podMonitor: the members' PodMonitor, made only where the API server serves PodMonitors (the
 * Prometheus Operator's CRD). Whether it does is asked when a cluster first wants one and again at most every
 * {@link #RECHECK_CRD}, not on each reconcile; without it the cluster's MonitoringReady condition says so, and
 * nothing fails. A paused cluster's PodMonitor is left alone, as its other objects are.
 */
final class ClusterMonitoring {
  static final Duration RECHECK_CRD = Duration.ofMinutes(10);
  private static final Logger LOG = LoggerFactory.getLogger(ClusterMonitoring.class);

  /** What MonitoringReady says. */
  record Outcome(boolean ready, String reason, String message) {}

  private record CrdCheck(boolean present, Instant at) {}

  /** The PodMonitor was found as generation {@code generation} of the cluster wants it, at {@code at}. */
  private record InShape(long generation, Instant at) {}

  private final KubernetesClient client;
  private final Clock clock;
  private volatile CrdCheck crd;
  /**
   * By cluster UID: an idle cluster's PodMonitor is read again only after {@link #RECHECK_CRD} (to undo a hand
   * edit), not on every reconcile, so that many clusters cost no steady stream of reads.
   */
  private final Map<String, InShape> inShape = new ConcurrentHashMap<>();

  ClusterMonitoring(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** Creates, updates or deletes the PodMonitor as the spec asks; empty when no PodMonitor is asked for. */
  Optional<Outcome> run(EtcdCluster cluster, EtcdClusterStatus previous) {
    boolean wanted = Optional.ofNullable(cluster.getSpec().getMonitoring()).map(MonitoringSpec::getPodMonitor)
        .orElse(false);
    String name = PodMonitorBuilder.name(cluster.getMetadata().getName());
    String where = cluster.getMetadata().getNamespace() + "/" + cluster.getMetadata().getName();
    Optional<Condition> before = Optional.ofNullable(previous)
        .flatMap(p -> ConditionSet.find(p.getConditions(), EtcdClusterConditions.MONITORING_READY));
    if (EtcdClusterReconciler.isPaused(cluster)) {
      // A paused cluster's objects stay as they are; so does what the condition says about them.
      return before.map(c -> new Outcome("True".equals(c.getStatus()), c.getReason(), c.getMessage()));
    }
    boolean hadOne = before.map(c -> "True".equals(c.getStatus())).orElse(false);
    try {
      if (!wanted) {
        inShape.remove(cluster.getMetadata().getUid());
        if (hadOne) {
          podMonitors(cluster).withName(name).delete();
          LOG.info("{}: deleted PodMonitor {}", where, name);
        }
        return Optional.empty();
      }
      if (!crdPresent()) {
        return Optional.of(new Outcome(false, Reason.POD_MONITOR_CRD_MISSING, "spec.monitoring.podMonitor is set, "
            + "but the API server has no " + PodMonitorBuilder.CRD_NAME + " (install the Prometheus Operator's CRDs;"
            + " the operator looks again every " + RECHECK_CRD.toMinutes() + " minutes)"));
      }
      Instant now = clock.instant();
      long generation = Optional.ofNullable(cluster.getMetadata().getGeneration()).orElse(0L);
      InShape last = inShape.get(cluster.getMetadata().getUid());
      if (!hadOne || last == null || last.generation() != generation || !now.isBefore(last.at().plus(RECHECK_CRD))) {
        GenericKubernetesResource desired = PodMonitorBuilder.build(cluster);
        GenericKubernetesResource live = podMonitors(cluster).withName(name).get();
        if (live == null || !Objects.equals(live.getAdditionalProperties().get("spec"),
            desired.getAdditionalProperties().get("spec"))) {
          podMonitors(cluster).resource(desired).fieldManager(EtcdClusterReconciler.FIELD_MANAGER).forceConflicts()
              .serverSideApply();
          LOG.info("{}: applied PodMonitor {}", where, name);
        }
        inShape.put(cluster.getMetadata().getUid(), new InShape(generation, now));
      }
      return Optional.of(new Outcome(true, Reason.POD_MONITOR_CREATED, "PodMonitor " + name + " scrapes the "
          + "members' metrics port (job " + PodMonitorBuilder.JOB + ")"));
    } catch (KubernetesClientException e) {
      LOG.warn("{}: PodMonitor {}: {}", where, name, e.getMessage());
      return Optional.of(new Outcome(false, Reason.POD_MONITOR_REJECTED, "the API server refused PodMonitor " + name
          + ": " + Optional.ofNullable(e.getStatus()).map(s -> s.getMessage()).orElse(e.getMessage())));
    }
  }

  /** The cluster is gone, its PodMonitor with it. */
  void forget(EtcdCluster cluster) {
    inShape.remove(cluster.getMetadata().getUid());
  }

  /** Sets MonitoringReady in the status being computed (absent when no PodMonitor is asked for). */
  void report(Optional<Outcome> outcome, EtcdClusterStatus status, List<Condition> before) {
    if (outcome.isEmpty()) {
      return;
    }
    Condition condition = new ConditionSet(before, Optional.ofNullable(status.getObservedGeneration()).orElse(0L),
        clock).set(EtcdClusterConditions.MONITORING_READY, outcome.get().ready(), outcome.get().reason(),
        outcome.get().message()).build().get(0);
    List<Condition> conditions = new ArrayList<>(status.getConditions());
    conditions.removeIf(c -> EtcdClusterConditions.MONITORING_READY.equals(c.getType()));
    conditions.add(condition);
    status.setConditions(conditions);
  }

  private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList,
      Resource<GenericKubernetesResource>> podMonitors(EtcdCluster cluster) {
    // Named in full, so that no API discovery is needed to find the plural.
    return client.genericKubernetesResources(new ResourceDefinitionContext.Builder()
        .withGroup(PodMonitorBuilder.GROUP).withVersion(PodMonitorBuilder.VERSION).withKind(PodMonitorBuilder.KIND)
        .withPlural(PodMonitorBuilder.PLURAL).withNamespaced(true).build())
        .inNamespace(cluster.getMetadata().getNamespace());
  }

  private boolean crdPresent() {
    CrdCheck last = crd;
    Instant now = clock.instant();
    if (last != null && now.isBefore(last.at().plus(RECHECK_CRD))) {
      return last.present();
    }
    boolean present;
    try {
      present = client.apiextensions().v1().customResourceDefinitions().withName(PodMonitorBuilder.CRD_NAME)
          .get() != null;
    } catch (KubernetesClientException e) {
      LOG.warn("cannot read CRD {} ({}): no PodMonitors are made", PodMonitorBuilder.CRD_NAME, e.getMessage());
      present = false;
    }
    if (!present) {
      LOG.warn("the API server has no {}: EtcdClusters that ask for a PodMonitor get none (condition {})",
          PodMonitorBuilder.CRD_NAME, EtcdClusterConditions.MONITORING_READY);
    }
    crd = new CrdCheck(present, now);
    return present;
  }
}
