package dev.etcdoperator.cluster;

import dev.etcdoperator.access.EtcdClients;
import dev.etcdoperator.access.MemberEndpoints;
import dev.etcdoperator.access.OperatorClientFiles;
import dev.etcdoperator.api.v1alpha1.EtcdBackup;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.cluster.backups.BackupScheduler;
import dev.etcdoperator.cluster.backups.ScheduledBackups;
import dev.etcdoperator.cluster.membership.MembershipActions;
import dev.etcdoperator.cluster.model.ClusterStatusWrites;
import dev.etcdoperator.cluster.model.ClusterStep;
import dev.etcdoperator.cluster.model.EtcdView;
import dev.etcdoperator.cluster.model.FaultPoints;
import dev.etcdoperator.cluster.model.MemberObjects;
import dev.etcdoperator.cluster.model.MembershipFacts;
import dev.etcdoperator.cluster.restore.MemberRestores;
import dev.etcdoperator.cluster.restore.RestoreFacts;
import dev.etcdoperator.cluster.rollout.MemberRestarts;
import dev.etcdoperator.cluster.rollout.MembersRun;
import dev.etcdoperator.cluster.rollout.RolloutFacts;
import dev.etcdoperator.cluster.rollout.StorageExpansion;
import dev.etcdoperator.cluster.rollout.StorageGrowth;
import dev.etcdoperator.cluster.tls.ClusterTls;
import dev.etcdoperator.cluster.tls.TlsReasons;
import dev.etcdoperator.cluster.tls.TlsState;
import dev.etcdoperator.metrics.ReconcilerMetrics;
import dev.etcdoperator.resources.ClusterBlueprint;
import dev.etcdoperator.resources.ClusterLabels;
import dev.etcdoperator.resources.ClusterNames;
import dev.etcdoperator.resources.MemberTls;
import dev.etcdoperator.support.ManagedFieldsFreeCache;
import dev.etcdoperator.support.EtcdVersion;
import dev.etcdoperator.support.EventRecorder;
import dev.etcdoperator.support.IpFamily;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reconciles EtcdCluster: observe, validate, plan one step, act, report status (GUIDE §4). */
@ControllerConfiguration(name = EtcdClusterReconciler.NAME)
public final class EtcdClusterReconciler implements Reconciler<EtcdCluster>, Cleaner<EtcdCluster> {
  public static final String NAME = "etcdcluster";
  static final String FIELD_MANAGER = "etcd-operator";
  private static final List<Class<? extends HasMetadata>> OWNED_TYPES = List.of(StatefulSet.class,
      ConfigMap.class, Service.class, PodDisruptionBudget.class, Secret.class);
  private static final Logger LOG = LoggerFactory.getLogger(EtcdClusterReconciler.class);

  /** What the reconciler needs from its surroundings, wired by the entry point or a test. */
  public record Settings(EtcdVersion defaultVersion, String imageRepository, Duration resyncInterval,
      Duration etcdRequestTimeout, String clusterDomain, Path clientCertificateDir, String operatorImage,
      Duration replaceFailingMemberAfter, IpFamily podIpFamily, String installation, Duration clusterLeaseDuration) {}

  private final KubernetesClient client;
  private final EventRecorder events;
  private final DriftVerdicts drift;
  private final StatefulSetBuilds statefulSets = new StatefulSetBuilds();
  private final Settings settings;
  private final Clock clock;
  private final ClusterTls clusterTls;
  private final EtcdObserver etcdObserver;
  private final MembershipActions membershipActions;
  private final MemberRestarts memberRestarts;
  private final BackupScheduler backupScheduler;
  private final ClusterMaintenance maintenance;
  private final MemberRestores memberRestores;
  private final ClusterLease lease;
  private final UserSecrets userSecrets;
  private final ReconcileCadence cadence;
  private final ReconcilerMetrics metrics;
  private final ClusterMonitoring monitoring;
  private final OwnedObjectsApply ownedObjects;
  private final ClusterStatusWrites statusWrites;

  public EtcdClusterReconciler(KubernetesClient client, MemberEndpoints memberEndpoints, EtcdClients etcdClients,
      Settings settings, Clock clock, FaultPoints faults, ReconcilerMetrics metrics) {
    this.client = client;
    this.metrics = metrics;
    this.events = new EventRecorder(client, clock, metrics.events());
    this.drift = new DriftVerdicts(new ObjectDrift(client.getKubernetesSerialization()));
    this.settings = settings;
    this.clock = clock;
    this.clusterTls = new ClusterTls(clock, settings.clusterDomain());
    this.etcdObserver = new EtcdObserver(memberEndpoints, etcdClients,
        new OperatorClientFiles(settings.clientCertificateDir()), settings.etcdRequestTimeout());
    this.statusWrites = new ClusterStatusWrites(client, NAME);
    this.membershipActions = new MembershipActions(client, events, clock, faults, statusWrites);
    this.memberRestarts = new MemberRestarts(client, events, clock);
    this.backupScheduler = new BackupScheduler(client, events, clock);
    this.maintenance = new ClusterMaintenance(client, events, clock, settings.resyncInterval());
    this.memberRestores = new MemberRestores(client, events, settings.operatorImage());
    this.userSecrets = new UserSecrets(clock);
    this.lease = new ClusterLease(client, settings.installation(), settings.clusterLeaseDuration(), clock);
    this.monitoring = new ClusterMonitoring(client, clock);
    this.cadence = new ReconcileCadence(settings.resyncInterval(), clock);
    this.ownedObjects = new OwnedObjectsApply(client, FIELD_MANAGER);
  }

  @Override
  public List<EventSource<?, EtcdCluster>> prepareEventSources(EventSourceContext<EtcdCluster> context) {
    String ours = ClusterLabels.MANAGED_BY + "=" + ClusterLabels.OPERATOR_NAME;
    List<EventSource<?, EtcdCluster>> sources = new ArrayList<>();
    for (Class<? extends HasMetadata> owned : OWNED_TYPES) {
      sources.add(new InformerEventSource<>(
          InformerEventSourceConfiguration.from(owned, EtcdCluster.class).withLabelSelector(ours)
              .withItemStore(ManagedFieldsFreeCache.store()).build(), context));
    }
    // Pods and volume claims belong to the StatefulSet, not to us: map them to their cluster by the instance label.
    for (Class<? extends HasMetadata> member : List.of(Pod.class, PersistentVolumeClaim.class)) {
      sources.add(new InformerEventSource<>(InformerEventSourceConfiguration.from(member, EtcdCluster.class)
          .withLabelSelector(ours)
          .withItemStore(ManagedFieldsFreeCache.store())
          .withSecondaryToPrimaryMapper(o -> Set.of(new ResourceID(
              o.getMetadata().getLabels().get(ClusterLabels.INSTANCE), o.getMetadata().getNamespace())))
          .build(), context));
    }
    // Scheduled backups carry the cluster's labels (no owner reference: they outlive the cluster).
    sources.add(new InformerEventSource<>(InformerEventSourceConfiguration.from(EtcdBackup.class, EtcdCluster.class)
        .withLabelSelector(ours)
        .withItemStore(ManagedFieldsFreeCache.store())
        .withSecondaryToPrimaryMapper(b -> Optional.ofNullable(b.getMetadata().getLabels().get(ClusterLabels.INSTANCE))
            .map(cluster -> Set.of(new ResourceID(cluster, b.getMetadata().getNamespace()))).orElse(Set.of()))
        .build(), context));
    return sources;
  }

  @Override
  public UpdateControl<EtcdCluster> reconcile(EtcdCluster read, Context<EtcdCluster> context) {
    EtcdCluster cluster = statusWrites.latest(read);
    Optional<ClusterLease.HeldElsewhere> fenced = lease.claim(cluster);
    if (fenced.isPresent()) {
      // Another installation changes this cluster: two would restart members and write status against each other.
      LOG.warn("{}/{}: not reconciled, operator installation {} holds its Lease {} until {}",
          cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(), fenced.get().holder(),
          ClusterNames.of(cluster).operatorLease(), fenced.get().until());
      return UpdateControl.<EtcdCluster>noUpdate().rescheduleAfter(
          Duration.between(clock.instant(), fenced.get().until()).plusSeconds(1));
    }
    ClusterNames names = new ClusterNames(cluster.getMetadata().getName(), cluster.getMetadata().getNamespace());
    CachedObjects cached = new CachedObjects(context);
    Optional<StatefulSet> statefulSet = cached.named(StatefulSet.class, names.statefulSet());
    Optional<ConfigMap> bootstrapConfig = cached.named(ConfigMap.class, names.configMap());
    List<Pod> allPods = cached.all(Pod.class).stream()
        .sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList();
    List<Pod> pods = allPods.stream().filter(p -> !MemberRestores.isRestorePod(p)).toList();
    List<Pod> restorePods = allPods.stream().filter(MemberRestores::isRestorePod).toList();

    List<String> problems = new ArrayList<>(SpecProblems.of(cluster, statefulSet));
    Optional<ClusterBlueprint> blueprint = blueprint(cluster, problems);
    Optional<TlsState> tls = blueprint.map(b -> clusterTls.resolve(cluster, b, secretLookup(cached, names),
        generation -> MembersRun.generation(statefulSet, pods, generation)));
    EtcdView etcd = etcdObserver.observe(cluster, pods, tls);
    boolean formed = Formation.isFormed(cluster, bootstrapConfig, etcd);
    MemberObjects memberObjects = MemberObjects.of(names, pods,
        cached.all(PersistentVolumeClaim.class), clock, settings.replaceFailingMemberAfter());
    Optional<MembershipFacts> membership = etcd instanceof EtcdView.Reached r && formed
        ? Optional.of(MembershipFacts.of(names, r.observation(), memberObjects,
            statefulSet.map(s -> s.getSpec().getReplicas()).orElse(0), Optional.ofNullable(cluster.getStatus())))
        : Optional.empty();
    Optional<RolloutFacts> rollout = statefulSet.filter(s -> membership.isPresent())
        .map(s -> RolloutFacts.of(names, s, pods, cluster.getSpec().getRollout(), clock));

    if (!formed && statefulSet.isEmpty()) {
      MemberRestores.abandoned(cluster, restorePods, cached.all(PersistentVolumeClaim.class))
          .or(() -> Formation.unrecordedData(cluster, memberObjects, bootstrapConfig,
              MemberRestores.requested(cluster)))
          .ifPresent(problems::add);
    }
    OptionalInt members = MemberCount.ofStatefulSet(cluster, bootstrapConfig, statefulSet, membership, formed);
    Optional<ClusterBlueprint> effective = blueprint.filter(b -> problems.isEmpty())
        .map(b -> b.withTls(tls.get().memberTls()));
    // A restore comes before the StatefulSet: its members must not start until every one holds the snapshot.
    Optional<RestoreFacts> restore = effective.filter(b -> MemberRestores.requested(cluster) && !formed
        && statefulSet.isEmpty()).map(b -> memberRestores.observe(cluster, b, restorePods, members.orElseThrow()));
    if (formed && !restorePods.isEmpty() && !isPaused(cluster)) {
      memberRestores.cleanUp(cluster, restorePods);
    }

    List<HasMetadata> drifted = new ArrayList<>();
    boolean anyMissing = false;
    if (effective.isPresent()) {
      int guarded = MemberCount.guarded(Objects.requireNonNullElse(cluster.getSpec().getReplicas(), 0),
          membership.map(m -> OptionalInt.of(m.voters().size())).orElse(OptionalInt.empty()), members);
      List<HasMetadata> desired = DesiredObjects.of(effective.get(), bootstrapConfig, statefulSet, formed, members,
          membership.map(MembershipFacts::memberOrdinals), guarded, statefulSets::of).stream()
          .filter(d -> !(d instanceof StatefulSet) || restore.map(RestoreFacts::allRestored).orElse(true)).toList();
      Map<String, HasMetadata> live = liveObjects(cached);
      // Certificate Secrets first: the members mount them (OwnedObjectsApply applies the StatefulSet after them).
      drifted.addAll(tls.get().toWrite());
      desired.stream().filter(d -> drift.needsApply(cluster, d, live.get(key(d)))).forEach(drifted::add);
      anyMissing = drifted.stream().anyMatch(d -> !live.containsKey(key(d)));
    }
    int readyPods = (int) pods.stream().filter(MemberObjects::isReady).count();
    Optional<String> certificateProblem = tls.filter(t -> !t.ready() && !(t.memberTls() instanceof MemberTls.Plain))
        .map(TlsState::message);
    ClusterPlanner.Input planInput = new ClusterPlanner.Input(problems, isPaused(cluster), drifted,
        anyMissing, formed, Objects.requireNonNullElse(cluster.getSpec().getReplicas(), 0), readyPods,
        statefulSet.filter(s -> problems.isEmpty()).flatMap(s -> StorageGrowth.requested(cluster, s)),
        certificateProblem, membership, retainsClaims(cluster),
        tls.map(TlsState::memberTls).orElse(null) instanceof MemberTls.Plain ? "http" : "https", rollout, restore,
        members.isEmpty());
    ClusterStep step = maintenance.holdWhileDefragmenting(cluster, ClusterPlanner.plan(planInput));

    Consumer<ClusterStep.RestoreMembers> startRestore = restoreMembers -> memberRestores.start(cluster,
        effective.get(), DesiredObjects.bootstrapOf(bootstrapConfig, effective.get()), restoreMembers);
    step = act(cluster, step, etcd, blueprint.map(ClusterBlueprint::version), startRestore);
    if (step instanceof ClusterStep.ApplyObjects applied) {
      step = maintenance.holdWhileDefragmenting(cluster, ClusterPlanner.afterApplying(applied, planInput));
      if (step instanceof ClusterStep.ChangeMembership) {
        step = act(cluster, step, etcd, blueprint.map(ClusterBlueprint::version), startRestore);
      }
    }

    EtcdClusterStatus previous = cluster.getStatus();
    EtcdClusterStatus status = ClusterStatusCalculator.compute(new ClusterStatusCalculator.Input(cluster, step, etcd,
        pods.size(), readyPods, new ClusterLabels(names.cluster()).selectorString(), formed, tls,
        memberObjects.claimUidsByMember(names), blueprint.map(ClusterBlueprint::version),
        onEmptyDir(cluster) ? memberObjects.podUidsByMember(names) : Map.of(), MemberPlacement.of(pods)), clock);
    status.setRollout(rollout.flatMap(r -> r.progress(membership.get(), status.getCurrentVersion(),
        blueprint.map(b -> b.version().toString()).orElse(null))).orElse(null));
    Optional<ScheduledBackups.Plan> schedule = problems.isEmpty()
        ? backupScheduler.run(cluster, cached.all(EtcdBackup.class))
        : Optional.empty();
    schedule.ifPresent(p -> backupScheduler.report(p, cluster, previous, status));
    ClusterMaintenance.Outcome maintained = maintenance.run(cluster, step, etcd,
        previous == null ? null : previous.getMaintenance());
    List<Condition> before = previous == null ? List.of() : previous.getConditions();
    maintenance.report(maintained, status, before);
    monitoring.report(monitoring.run(cluster, previous), status, before);
    new StatusEvents(events).record(cluster, previous, status);
    metrics.clusters().observed(cluster, status);
    if (step instanceof ClusterStep.ApplyObjects && tls.isPresent() && !tls.get().issued().isEmpty()) {
      events.record(cluster, EventRecorder.Type.Normal, TlsReasons.CERTIFICATES_ISSUED,
          "certificates written: " + String.join(", ", tls.get().issued()));
    }

    if (!status.equals(previous)) {
      // A status this operator alone writes, computed from what it just observed: no optimistic lock.
      statusWrites.write(cluster, status);
    }
    return cadence.next(UpdateControl.noUpdate(), step, status, cluster.getMetadata().getUid(),
        List.of(schedule.map(p -> p.wakeUp().plusSeconds(1)), maintained.wakeUp()));
  }

  /** When the operator stops, after its last reconcile: {@link ClusterLease#releaseAll}. */
  public void releaseClusterLeases() {
    lease.releaseAll();
  }

  /**
   * The members' data goes with the EtcdCluster and with nothing else: the StatefulSet keeps its claims when it is
   * deleted (whenDeleted: Retain), so they are deleted here, once the cluster object is going.
   */
  @Override
  public DeleteControl cleanup(EtcdCluster cluster, Context<EtcdCluster> context) {
    lease.forget(cluster);
    statusWrites.forget(cluster);
    drift.forget(cluster);
    statefulSets.forget(cluster);
    maintenance.forget(cluster);
    etcdObserver.forget(cluster);
    monitoring.forget(cluster);
    metrics.clusters().deleted(cluster);
    List<PersistentVolumeClaim> claims = client.persistentVolumeClaims()
        .inNamespace(cluster.getMetadata().getNamespace())
        .withLabels(new ClusterLabels(cluster.getMetadata().getName()).selector()).list().getItems();
    claims.forEach(c -> client.resource(c).delete());
    LOG.info("{}/{}: deleted with its member claims {}", cluster.getMetadata().getNamespace(),
        cluster.getMetadata().getName(), claims.stream().map(c -> c.getMetadata().getName()).toList());
    return DeleteControl.defaultDelete();
  }

  private ClusterStep act(EtcdCluster cluster, ClusterStep step, EtcdView etcd, Optional<EtcdVersion> target,
      Consumer<ClusterStep.RestoreMembers> startRestore) {
    String where = cluster.getMetadata().getNamespace() + "/" + cluster.getMetadata().getName();
    try {
      switch (step) {
        case ClusterStep.ChangeMembership change when etcd instanceof EtcdView.Reached reached -> {
          return membershipActions.perform(cluster, change, reached.client(), reached.observation());
        }
        case ClusterStep.RestartMember restart -> {
          return memberRestarts.restart(cluster, restart, SpecProblems.runningVersion(cluster), target, etcd);
        }
        case ClusterStep.ApplyObjects apply -> {
          ownedObjects.apply(apply.objects());
          LOG.info("{}: applied {}", where,
              apply.objects().stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList());
        }
        case ClusterStep.RestoreMembers restore -> startRestore.accept(restore);
        case ClusterStep.ExpandStorage grow -> {
          new StorageExpansion(client).expand(cluster, grow.size());
          LOG.info("{}: expanded member volumes to {}", where, grow.size());
        }
        default -> { }
      }
      return step;
    } catch (KubernetesClientException e) {
      if (e.getCode() >= 400 && e.getCode() < 500 && e.getCode() != 409 && e.getCode() != 429) {
        // The API server refuses the request: repeating it cannot help; say why and wait for a change.
        return new ClusterStep.Halt(Reason.APPLY_REJECTED, "the API server rejected the change: "
            + Optional.ofNullable(e.getStatus()).map(s -> s.getMessage()).orElse(e.getMessage()));
      }
      throw e;
    }
  }

  private static boolean onEmptyDir(EtcdCluster cluster) {
    return cluster.getSpec().getStorage() != null && cluster.getSpec().getStorage().getEmptyDir() != null;
  }

  private static boolean retainsClaims(EtcdCluster cluster) {
    return cluster.getSpec().getStorage() != null
        && Boolean.TRUE.equals(cluster.getSpec().getStorage().getRetainOnScaleDown());
  }

  static boolean isPaused(EtcdCluster cluster) {
    return Boolean.TRUE.equals(cluster.getSpec().getPaused()) || "true".equalsIgnoreCase(
        Optional.ofNullable(cluster.getMetadata().getAnnotations()).map(a -> a.get(EtcdCluster.PAUSE_ANNOTATION))
            .orElse(null));
  }

  /** The blueprint of a cluster, unless its spec is too broken to build one (then that is a problem too). */
  private Optional<ClusterBlueprint> blueprint(EtcdCluster cluster, List<String> problems) {
    try {
      return Optional.of(ClusterBlueprint.from(cluster, VersionToRun.of(cluster, settings.defaultVersion()),
          settings.imageRepository())
          .withPodIpFamily(settings.podIpFamily()));
    } catch (IllegalArgumentException e) {
      if (problems.isEmpty()) {
        problems.add(e.getMessage());
      }
      return Optional.empty();
    }
  }

  /**
   * Certificate Secrets from the cache, else from the API server: right after we wrote one the cache may lag,
   * and issuing a second CA because of that lag would cut members off from each other. External mode's Secrets
   * belong to the user and carry none of our labels, so they are read directly, and kept a few seconds.
   */
  private Function<String, Secret> secretLookup(CachedObjects cached, ClusterNames names) {
    // One read per Secret and reconcile: the certificates' plan asks for some twice, and a missing one costs a GET.
    Map<String, Optional<Secret>> read = new HashMap<>();
    return name -> read.computeIfAbsent(name, n -> cached.named(Secret.class, n).or(() -> Optional.ofNullable(
        userSecrets.get(names.namespace(), n, (ns, s) -> client.secrets().inNamespace(ns).withName(s).get()))))
        .orElse(null);
  }

  private static Map<String, HasMetadata> liveObjects(CachedObjects cached) {
    Map<String, HasMetadata> live = new HashMap<>();
    for (Class<? extends HasMetadata> type : OWNED_TYPES) {
      cached.all(type).forEach(o -> live.put(key(o), o));
    }
    return live;
  }

  static String key(HasMetadata object) {
    return object.getKind() + "/" + object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
  }
}
