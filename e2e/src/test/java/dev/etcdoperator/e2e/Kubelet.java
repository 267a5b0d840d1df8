package dev.etcdoperator.e2e;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet stand-in: runs every pod's init containers, then its first container, each as a process
 * ({@link ContainerProcess}) on the pod's own 127.x address, keeps pod status (podIP, phase, conditions, init and
 * container statuses) through the status subresource, probes readiness over HTTP, restarts exited containers per the
 * pod's restartPolicy ({@link PodContainers}), stops processes of deleted pods (SIGTERM, SIGKILL after the grace
 * period) and keeps {@link ClusterDns} in step with pods ({@link EndpointsController} does Services). A pod that
 * completed (restartPolicy Never/OnFailure) keeps its record, directory and log until its object is deleted.
 *
 * <p>One sync loop on one thread, every 200 ms, over informer caches: simple, and no two actions on one pod race.
 * Probes ({@link ContainerProbes}): startup, liveness and readiness as the kubelet runs them. Deviation: readiness is
 * checked at least every second whatever periodSeconds says (thresholds are honoured), to keep scenarios quick.
 */
final class Kubelet implements StandIn {
  private static final Logger LOG = LoggerFactory.getLogger(Kubelet.class);
  private static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);
  /**
   * Graceful deletion, as a real API server does it: a deleted pod keeps its object (with a deletionTimestamp) until
   * the kubelet has stopped its process, so nothing replaces it while it still runs. The mock API server deletes
   * at once, unless a finalizer holds the object: pods carry this one, removed by the kubelet when it is done.
   */
  static final String GRACEFUL_DELETION_FINALIZER = "e2e.etcdoperator.dev/graceful-deletion";
  /** {@code status.containerStatuses[].containerID} is this prefix and the process id. */
  static final String CONTAINER_ID_SCHEME = "standin://";

  private final KubernetesClient client;
  private final ClusterDns dns;
  private final PodAddresses addresses;
  private final PodVolumes volumes;
  private final Path podsDir;
  private final Path logsDir;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final Map<String, PodRuntime> runtimes = new ConcurrentHashMap<>();
  /**
   * Uids of deleted pods whose processes are still stopping: their objects stay (finalizer held) until the processes
   * are down, as a real API server keeps a pod until its kubelet confirms, so no new pod of the same name (and
   * address) starts beside the old process.
   */
  private final Set<String> stopping = ConcurrentHashMap.newKeySet();
  /** Run when a pod is being stopped, before its processes get SIGTERM (see {@link #beforeStopping}). */
  private final List<Runnable> beforeStopping = new CopyOnWriteArrayList<>();
  /** Every process started, with its pod ({@code ns/name}). */
  private final Map<ContainerProcess, String> everStarted = new ConcurrentHashMap<>();
  private final StandInLoop loop = new StandInLoop("kubelet-standin");
  private SharedIndexInformer<Pod> pods;
  /** No etcd outlives this JVM, even when a test forgets close() or the JVM is stopped by Ctrl-C. */
  private final Thread killOnExit = new Thread(() -> everStarted.keySet().forEach(ContainerProcess::kill), "kubelet-kill");

  /** What the kubelet knows of one pod object (by uid). */
  private static final class PodRuntime {
    final String namespace;
    final String name;
    final String uid;
    final String address;
    final Path dir;
    final Instant startTime = Instant.now();
    final PodContainers containers;
    Long grace = 30L;
    PodStatus written;

    PodRuntime(Pod pod, String address, Path dir) {
      this.namespace = pod.getMetadata().getNamespace();
      this.name = pod.getMetadata().getName();
      this.uid = pod.getMetadata().getUid();
      this.address = address;
      this.dir = dir;
      this.containers = new PodContainers(namespace + "/" + name, pod.getSpec());
    }
  }

  Kubelet(KubernetesClient client, ClusterDns dns, PodAddresses addresses, PodVolumes volumes, Path workDir) {
    this.client = client;
    this.dns = dns;
    this.addresses = addresses;
    this.volumes = volumes;
    this.podsDir = workDir.resolve("pods");
    this.logsDir = workDir.resolve("logs");
    ContainerProcess.which(ContainerProcess.UNSHARE);
    ContainerProcess.which("etcd");
  }

  @Override
  public void start() {
    pods = client.pods().inAnyNamespace().inform();
    Runtime.getRuntime().addShutdownHook(killOnExit);
    loop.every(Duration.ofMillis(200), this::sync);
  }

  /**
   * Runs {@code hook} whenever a pod is being stopped, after it left {@link #podEndpoints()} and before its processes
   * get SIGTERM. The endpoints controller resyncs here, so a Service stops naming a pod before the pod stops
   * answering: clients that reconnect when it closes their connections find the other pods at once, as they would
   * behind a Service's virtual IP (this DNS stand-in gives a client one pod's address, and gRPC only asks for it
   * again after a failed connection, backing off further each time).
   */
  void beforeStopping(Runnable hook) {
    beforeStopping.add(hook);
  }

  /** Directory of the per-pod logs ({@code <ns>_<pod>.log}, appended across restarts). */
  Path logsDir() {
    return logsDir;
  }

  /** Whether a process of this pod may still run (the StatefulSet stand-in waits for this before removing data). */
  boolean hasRuntime(String namespace, String pod) {
    return runtimes.values().stream().anyMatch(r -> r.namespace.equals(namespace) && r.name.equals(pod));
  }

  /** The latest container process of a pod (by namespace and name), if one was started and not yet replaced. */
  Optional<ContainerProcess> processOf(String namespace, String pod) {
    return runtimes.values().stream().filter(r -> r.namespace.equals(namespace) && r.name.equals(pod))
        .flatMap(r -> r.containers.latestProcess().stream()).findFirst();
  }

  /** Every process this kubelet ever started, alive or not. */
  List<ContainerProcess> processes() {
    return List.copyOf(everStarted.keySet());
  }

  /** Names of the namespace's pods that have a live process (also one still stopping after its pod was deleted). */
  List<String> podsWithLiveProcesses(String namespace) {
    return everStarted.entrySet().stream().filter(e -> e.getKey().isAlive())
        .map(Map.Entry::getValue).filter(k -> k.startsWith(namespace + "/"))
        .map(k -> k.substring(namespace.length() + 1)).sorted().toList();
  }

  private void sync() {
    Set<String> seen = new HashSet<>();
    for (Pod pod : pods.getStore().list()) {
      String key = pod.getMetadata().getUid();
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        if (!runtimes.containsKey(key) && !stopping.contains(key)) {
          release(pod); // deleted before it was admitted: no process to stop
        }
        continue; // handled below like a pod that is gone; the object goes once the process is down
      }
      seen.add(key);
      PodRuntime runtime;
      // With the DNS removal of a stopped pod of the same name (below): a new pod's name is never unpublished.
      synchronized (dns) {
        runtime = runtimes.computeIfAbsent(key, k -> admit(pod));
      }
      syncPod(pod, runtime);
    }
    for (PodRuntime runtime : List.copyOf(runtimes.values())) {
      if (!seen.contains(runtime.uid)) {
        terminate(runtime);
      }
    }
  }

  private PodRuntime admit(Pod pod) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    PodRuntime runtime = new PodRuntime(pod, addresses.addressOf(ns, name),
        podsDir.resolve(ns).resolve(name + "-" + pod.getMetadata().getUid()));
    runtime.grace = Optional.ofNullable(pod.getSpec().getTerminationGracePeriodSeconds()).orElse(30L);
    dns.putPod(ns, name, pod.getSpec().getSubdomain(), runtime.address);
    if (!Optional.ofNullable(pod.getMetadata().getFinalizers()).orElse(List.of())
        .contains(GRACEFUL_DELETION_FINALIZER)) {
      try {
        client.pods().inNamespace(ns).withName(name).edit(p -> {
          List<String> finalizers = new ArrayList<>(Optional.ofNullable(p.getMetadata().getFinalizers())
              .orElse(List.of()));
          finalizers.add(GRACEFUL_DELETION_FINALIZER);
          p.getMetadata().setFinalizers(finalizers);
          return p;
        });
      } catch (KubernetesClientException e) {
        LOG.debug("pod {}/{}: finalizer not added: {}", ns, name, e.getMessage());
      }
    }
    LOG.info("pod {}/{} admitted on {}", ns, name, runtime.address);
    return runtime;
  }

  private void syncPod(Pod pod, PodRuntime runtime) {
    Optional<ContainerRun> next = runtime.containers.next(Instant.now());
    ContainerRun main = runtime.containers.main();
    if (next.isPresent()) {
      tryStart(pod, next.get(), runtime);
    } else if (main.isRunning() && !main.killedByProbe) {
      probe(runtime, main);
    }
    writeStatus(runtime);
  }

  private void tryStart(Pod pod, ContainerRun run, PodRuntime runtime) {
    Container container = run.spec();
    Map<String, String> env;
    PodVolumes.MountTable mounts;
    try {
      env = ContainerEnv.resolve(client, pod, container, runtime.address);
      mounts = volumes.prepare(client, pod, container, runtime.dir);
    } catch (ContainerEnv.NotReady e) {
      run.waitFor("CreateContainerConfigError");
      LOG.debug("pod {}/{} container {} waits: {}", runtime.namespace, runtime.name, container.getName(),
          e.getMessage());
      return;
    }
    ContainerProcess process;
    try {
      List<String> command = ContainerProcess.containerCommand(
          ContainerEnv.expandAll(container.getCommand(), env), ContainerEnv.expandAll(container.getArgs(), env),
          container.getImage(), mounts, runtime.address);
      process = ContainerProcess.start(command, env, runtime.dir, dns.file(), logFile(runtime),
          ContainerProcess.releaseNote(container.getImage(), command));
    } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
      // e.g. a binary this machine lacks: the run ends as a runtime's StartError, and restartPolicy decides
      run.startFailed(Instant.now(), e.getMessage());
      LOG.warn("pod {}/{} container {} cannot start: {}", runtime.namespace, runtime.name, container.getName(),
          e.getMessage());
      return;
    }
    everStarted.put(process, runtime.namespace + "/" + runtime.name);
    Instant now = Instant.now();
    run.started(process, now, new ContainerProbes(container, runtime.address, http, now, PROBE_INTERVAL));
    LOG.info("pod {}/{}: container {} started pid {}", runtime.namespace, runtime.name, container.getName(),
        process.pid());
  }

  Path logFile(String namespace, String pod) {
    return logsDir.resolve(namespace + "_" + pod + ".log");
  }

  private Path logFile(PodRuntime runtime) {
    return logFile(runtime.namespace, runtime.name);
  }

  /** A liveness or startup probe failing for good restarts the container (SIGTERM, the grace period, SIGKILL). */
  private void probe(PodRuntime runtime, ContainerRun main) {
    switch (main.probes.poll(Instant.now())) {
      case READY -> main.ready = true;
      case NOT_READY -> main.ready = false;
      case RESTART_FAILED_STARTUP -> restartForProbe(runtime, main, "startup");
      case RESTART_FAILED_LIVENESS -> restartForProbe(runtime, main, "liveness");
    }
  }

  private void restartForProbe(PodRuntime runtime, ContainerRun main, String which) {
    main.ready = false;
    LOG.info("pod {}/{}: {} probe failed, restarting the container", runtime.namespace, runtime.name, which);
    main.killedByProbe = true;
    main.process().stop(Duration.ofSeconds(runtime.grace));
  }

  private void writeStatus(PodRuntime runtime) {
    String now = Instant.now().toString();
    PodContainers containers = runtime.containers;
    PodStatus status = new PodStatusBuilder().withPhase(containers.phase())
        .withPodIP(runtime.address).withPodIPs(new PodIPBuilder().withIp(runtime.address).build())
        .withHostIP("127.0.0.1").withStartTime(runtime.startTime.toString())
        .withConditions(containers.conditions()).withInitContainerStatuses(containers.initContainerStatuses())
        .withContainerStatuses(containers.containerStatuses()).build();
    if (status.equals(runtime.written)) {
      return;
    }
    try {
      Pod fresh = client.pods().inNamespace(runtime.namespace).withName(runtime.name).get();
      if (fresh == null || !runtime.uid.equals(fresh.getMetadata().getUid())) {
        return;
      }
      if (fresh.getStatus() != null && fresh.getStatus().getConditions() != null) {
        // lastTransitionTime moves only when a condition's status changes
        for (PodCondition c : status.getConditions()) {
          fresh.getStatus().getConditions().stream()
              .filter(o -> o.getType().equals(c.getType()) && o.getStatus().equals(c.getStatus())).findFirst()
              .ifPresentOrElse(o -> c.setLastTransitionTime(o.getLastTransitionTime()),
                  () -> c.setLastTransitionTime(now));
        }
      } else {
        status.getConditions().forEach(c -> c.setLastTransitionTime(now));
      }
      fresh.setStatus(status);
      client.pods().inNamespace(runtime.namespace).resource(fresh).updateStatus();
      status.getConditions().forEach(c -> c.setLastTransitionTime(null));
      runtime.written = status;
    } catch (KubernetesClientException e) {
      LOG.debug("pod {}/{}: status write failed, retrying: {}", runtime.namespace, runtime.name, e.getMessage());
    }
  }

  /** Confirms the deletion of a pod this kubelet never ran, as a real one does for a pod it has not started. */
  private void release(Pod pod) {
    if (!Optional.ofNullable(pod.getMetadata().getFinalizers()).orElse(List.of())
        .contains(GRACEFUL_DELETION_FINALIZER)) {
      return;
    }
    try {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).edit(p -> {
        if (pod.getMetadata().getUid().equals(p.getMetadata().getUid())) { // not a newer pod of the same name
          p.getMetadata().setFinalizers(Optional.ofNullable(p.getMetadata().getFinalizers()).orElse(List.of())
              .stream().filter(f -> !f.equals(GRACEFUL_DELETION_FINALIZER)).toList());
        }
        return p;
      });
      LOG.info("pod {}/{}: deleted before it was admitted", pod.getMetadata().getNamespace(),
          pod.getMetadata().getName());
    } catch (KubernetesClientException e) {
      LOG.debug("pod {}/{}: not released yet: {}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
          e.getMessage());
    }
  }

  /** The pod object is gone (or being deleted): stop its process, then release its address name and files. */
  private void terminate(PodRuntime runtime) {
    stopping.add(runtime.uid);
    runtimes.remove(runtime.uid);
    LOG.info("pod {}/{}: stopping (grace {} s)", runtime.namespace, runtime.name, runtime.grace);
    for (Runnable hook : beforeStopping) {
      try {
        hook.run();
      } catch (RuntimeException e) {
        // The process is stopped whatever the hook did: nothing else would stop it once its runtime is gone.
        LOG.warn("pod {}/{}: before-stop hook failed: {}", runtime.namespace, runtime.name, e.toString());
      }
    }
    var stopped = CompletableFuture.allOf(runtime.containers.liveProcesses().stream()
        .map(p -> p.stop(Duration.ofSeconds(runtime.grace))).toArray(CompletableFuture[]::new));
    stopped.whenComplete((v, e) -> {
      synchronized (dns) {
        if (!hasRuntime(runtime.namespace, runtime.name)) {
          dns.removePod(runtime.namespace, runtime.name);
        }
      }
      try {
        Pod live = client.pods().inNamespace(runtime.namespace).withName(runtime.name).get();
        if (live != null && runtime.uid.equals(live.getMetadata().getUid())) {
          // graceful deletion done: the object goes (a real API server removes it on the kubelet's confirmation)
          client.pods().inNamespace(runtime.namespace).withName(runtime.name).edit(p -> {
            p.getMetadata().setFinalizers(Optional.ofNullable(p.getMetadata().getFinalizers()).orElse(List.of())
                .stream().filter(f -> !f.equals(GRACEFUL_DELETION_FINALIZER)).toList());
            return p;
          });
          // Only this incarnation: once its finalizer is gone the API server may already have removed it, and a
          // StatefulSet may have created the next pod of the same name, which a delete by name would hit.
          Pod after = client.pods().inNamespace(runtime.namespace).withName(runtime.name).get();
          if (after != null && runtime.uid.equals(after.getMetadata().getUid())) {
            client.pods().inNamespace(runtime.namespace).resource(after).withGracePeriod(0).delete();
          }
        }
      } catch (KubernetesClientException ignored) {
        // already gone
      } finally {
        stopping.remove(runtime.uid);
      }
    });
  }

  /** A pod this kubelet runs, as the endpoints controller sees it. */
  record PodEndpoint(String namespace, String name, String uid, String address, boolean ready) {}

  /**
   * Every pod this kubelet runs, with whether its container is running and Ready; not those being stopped, nor those
   * that completed (Succeeded/Failed), which a real endpoints controller leaves out too.
   */
  List<PodEndpoint> podEndpoints() {
    return runtimes.values().stream().filter(r -> !r.containers.terminal())
        .map(r -> new PodEndpoint(r.namespace, r.name, r.uid, r.address,
            r.containers.main().isRunning() && r.containers.main().ready)).toList();
  }

  /** Stops the loop and SIGKILLs every process at once (suite tear-down; graceful stops are for scenarios). */
  @Override
  public void close() {
    loop.stop();
    if (pods != null) {
      pods.close();
    }
    everStarted.keySet().forEach(ContainerProcess::kill);
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException | IllegalArgumentException alreadyRunningOrNeverAdded) {
      // the hook kills them anyway, or was never registered
    }
  }
}
