package dev.etcdoperator.e2e;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet stand-in: runs every pod's (single) container as a process ({@link ContainerProcess}) on the pod's
 * own 127.x address, keeps pod status (podIP, phase, Ready, restart count) through the status subresource, probes
 * readiness over HTTP, restarts exited containers (restartPolicy Always), stops processes of deleted pods (SIGTERM,
 * SIGKILL after the grace period) and keeps {@link ClusterDns} in step with pods and Services (endpoints).
 *
 * <p>One sync loop on one thread, every 200 ms, over informer caches: simple, and no two actions on one pod race.
 * Deviation: readiness is probed every second whatever periodSeconds says (failureThreshold is honoured).
 */
final class Kubelet implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Kubelet.class);
  private static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);
  private static final Duration RESTART_BACKOFF = Duration.ofSeconds(1);

  private final KubernetesClient client;
  private final ClusterDns dns;
  private final PodAddresses addresses;
  private final PodVolumes volumes;
  private final Path podsDir;
  private final Path logsDir;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final Map<String, PodRuntime> runtimes = new ConcurrentHashMap<>();
  private final Set<ContainerProcess> everStarted = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "kubelet-standin");
    t.setDaemon(true);
    return t;
  });
  private SharedIndexInformer<Pod> pods;
  private SharedIndexInformer<Service> services;
  /** No etcd outlives this JVM, even when a test forgets close() or the JVM is stopped by Ctrl-C. */
  private final Thread killOnExit = new Thread(() -> everStarted.forEach(ContainerProcess::kill), "kubelet-kill");

  /** What the kubelet knows of one pod object (by uid). */
  private static final class PodRuntime {
    final String namespace;
    final String name;
    final String uid;
    final String address;
    final Path dir;
    final Instant startTime = Instant.now();
    ContainerProcess process;
    Instant startedAt;
    Instant exitedAt;
    int restarts;
    boolean ready;
    int probeFailures;
    Instant lastProbe = Instant.EPOCH;
    String waiting = "ContainerCreating";
    Long grace = 30L;
    PodStatus written;

    PodRuntime(Pod pod, String address, Path dir) {
      this.namespace = pod.getMetadata().getNamespace();
      this.name = pod.getMetadata().getName();
      this.uid = pod.getMetadata().getUid();
      this.address = address;
      this.dir = dir;
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

  void start() {
    pods = client.pods().inAnyNamespace().inform();
    services = client.services().inAnyNamespace().inform();
    Runtime.getRuntime().addShutdownHook(killOnExit);
    loop.scheduleWithFixedDelay(this::syncSafely, 0, 200, TimeUnit.MILLISECONDS);
  }

  /** Directory of the per-pod logs ({@code <ns>_<pod>.log}, appended across restarts). */
  Path logsDir() {
    return logsDir;
  }

  /** Whether a process of this pod may still run (the StatefulSet stand-in waits for this before removing data). */
  boolean hasRuntime(String namespace, String pod) {
    return runtimes.values().stream().anyMatch(r -> r.namespace.equals(namespace) && r.name.equals(pod));
  }

  /** The current container process of a pod (by namespace and name), if one was started and not yet replaced. */
  Optional<ContainerProcess> processOf(String namespace, String pod) {
    return runtimes.values().stream().filter(r -> r.namespace.equals(namespace) && r.name.equals(pod))
        .map(r -> r.process).filter(java.util.Objects::nonNull).findFirst();
  }

  /** Every process this kubelet ever started, alive or not. */
  List<ContainerProcess> processes() {
    return List.copyOf(everStarted);
  }

  private void syncSafely() {
    try {
      sync();
    } catch (RuntimeException e) {
      LOG.warn("kubelet sync failed: {}", e.toString());
    }
  }

  private void sync() {
    Set<String> seen = new HashSet<>();
    for (Pod pod : pods.getStore().list()) {
      String key = pod.getMetadata().getUid();
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        continue; // handled below like a pod that is gone; the object goes once the process is down
      }
      seen.add(key);
      PodRuntime runtime = runtimes.computeIfAbsent(key, k -> admit(pod));
      syncPod(pod, runtime);
    }
    for (PodRuntime runtime : List.copyOf(runtimes.values())) {
      if (!seen.contains(runtime.uid)) {
        terminate(runtime);
      }
    }
    syncServices();
  }

  private PodRuntime admit(Pod pod) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    PodRuntime runtime = new PodRuntime(pod, addresses.addressOf(ns, name),
        podsDir.resolve(ns).resolve(name + "-" + pod.getMetadata().getUid()));
    runtime.grace = Optional.ofNullable(pod.getSpec().getTerminationGracePeriodSeconds()).orElse(30L);
    dns.putPod(ns, name, pod.getSpec().getSubdomain(), runtime.address);
    LOG.info("pod {}/{} admitted on {}", ns, name, runtime.address);
    return runtime;
  }

  private void syncPod(Pod pod, PodRuntime runtime) {
    Container container = pod.getSpec().getContainers().get(0);
    if (runtime.process != null && !runtime.process.isAlive()) {
      if (runtime.exitedAt == null) {
        runtime.exitedAt = Instant.now();
        runtime.ready = false;
        LOG.info("pod {}/{}: container exited with {}", runtime.namespace, runtime.name,
            runtime.process.exitCode());
      }
      if (Duration.between(runtime.exitedAt, Instant.now()).compareTo(RESTART_BACKOFF) >= 0) {
        runtime.process = null;
        runtime.restarts++;
        runtime.waiting = "CrashLoopBackOff";
      }
    }
    if (runtime.process == null) {
      tryStart(pod, container, runtime);
    } else if (runtime.process.isAlive()) {
      probe(container, runtime);
    }
    writeStatus(pod, container, runtime);
  }

  private void tryStart(Pod pod, Container container, PodRuntime runtime) {
    try {
      Map<String, String> env = ContainerEnv.resolve(client, pod, container, runtime.address);
      PodVolumes.MountTable mounts = volumes.prepare(client, pod, container, runtime.dir);
      List<String> command = ContainerProcess.containerCommand(
          ContainerEnv.expandAll(container.getCommand(), env), ContainerEnv.expandAll(container.getArgs(), env),
          container.getImage(), mounts, runtime.address);
      runtime.process = ContainerProcess.start(command, env, runtime.dir, dns.file(), logFile(runtime));
      everStarted.add(runtime.process);
      runtime.startedAt = Instant.now();
      runtime.exitedAt = null;
      runtime.waiting = null;
      runtime.probeFailures = 0;
      LOG.info("pod {}/{}: started pid {}", runtime.namespace, runtime.name, runtime.process.pid());
    } catch (ContainerEnv.NotReady e) {
      runtime.waiting = "CreateContainerConfigError";
      LOG.debug("pod {}/{} waits: {}", runtime.namespace, runtime.name, e.getMessage());
    }
  }

  Path logFile(String namespace, String pod) {
    return logsDir.resolve(namespace + "_" + pod + ".log");
  }

  private Path logFile(PodRuntime runtime) {
    return logFile(runtime.namespace, runtime.name);
  }

  private void probe(Container container, PodRuntime runtime) {
    if (Duration.between(runtime.lastProbe, Instant.now()).compareTo(PROBE_INTERVAL) < 0) {
      return;
    }
    runtime.lastProbe = Instant.now();
    if (container.getReadinessProbe() == null || container.getReadinessProbe().getHttpGet() == null) {
      runtime.ready = true; // no (HTTP) readiness probe: ready once running
      return;
    }
    HTTPGetAction get = container.getReadinessProbe().getHttpGet();
    int port = get.getPort().getIntVal() != null ? get.getPort().getIntVal() : namedPort(container, get);
    String scheme = Optional.ofNullable(get.getScheme()).orElse("HTTP").toLowerCase();
    URI uri = URI.create(scheme + "://" + runtime.address + ":" + port + Optional.ofNullable(get.getPath()).orElse("/"));
    boolean ok;
    try {
      int code = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(1)).GET().build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
      ok = code >= 200 && code < 400;
    } catch (java.io.IOException e) {
      ok = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    int threshold = Optional.ofNullable(container.getReadinessProbe().getFailureThreshold()).orElse(3);
    if (ok) {
      runtime.ready = true;
      runtime.probeFailures = 0;
    } else if (++runtime.probeFailures >= threshold || !runtime.ready) {
      runtime.ready = false;
    }
  }

  private static int namedPort(Container container, HTTPGetAction get) {
    return container.getPorts().stream().filter(p -> get.getPort().getStrVal().equals(p.getName())).findFirst()
        .orElseThrow().getContainerPort();
  }

  private void writeStatus(Pod pod, Container container, PodRuntime runtime) {
    boolean running = runtime.process != null && runtime.process.isAlive();
    String now = Instant.now().toString();
    List<PodCondition> conditions = new ArrayList<>();
    conditions.add(condition("PodScheduled", true));
    conditions.add(condition("Initialized", true));
    conditions.add(condition("ContainersReady", running && runtime.ready));
    conditions.add(condition("Ready", running && runtime.ready));
    var containerStatus = new ContainerStatusBuilder().withName(container.getName()).withImage(container.getImage())
        .withImageID(container.getImage()).withReady(running && runtime.ready).withRestartCount(runtime.restarts)
        .withStarted(running);
    if (running) {
      containerStatus.withNewState().withNewRunning().withStartedAt(runtime.startedAt.toString()).endRunning()
          .endState();
    } else {
      containerStatus.withNewState().withNewWaiting().withReason(runtime.waiting).endWaiting().endState();
    }
    PodStatus status = new PodStatusBuilder()
        .withPhase(running || runtime.restarts > 0 ? "Running" : "Pending")
        .withPodIP(runtime.address).withPodIPs(new PodIPBuilder().withIp(runtime.address).build())
        .withHostIP("127.0.0.1").withStartTime(runtime.startTime.toString())
        .withConditions(conditions).withContainerStatuses(containerStatus.build()).build();
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

  private static PodCondition condition(String type, boolean value) {
    return new PodConditionBuilder().withType(type).withStatus(value ? "True" : "False").build();
  }

  /** The pod object is gone (or being deleted): stop its process, then release its address name and files. */
  private void terminate(PodRuntime runtime) {
    runtimes.remove(runtime.uid);
    LOG.info("pod {}/{}: stopping (grace {} s)", runtime.namespace, runtime.name, runtime.grace);
    var stopped = runtime.process == null ? java.util.concurrent.CompletableFuture.<Void>completedFuture(null)
        : runtime.process.stop(Duration.ofSeconds(runtime.grace));
    stopped.whenComplete((v, e) -> {
      if (!hasRuntime(runtime.namespace, runtime.name)) {
        dns.removePod(runtime.namespace, runtime.name);
      }
      try {
        Pod live = client.pods().inNamespace(runtime.namespace).withName(runtime.name).get();
        if (live != null && runtime.uid.equals(live.getMetadata().getUid())) {
          // graceful deletion done: remove the object (real API servers do this on the kubelet's confirmation)
          live.getMetadata().setFinalizers(null);
          client.pods().inNamespace(runtime.namespace).resource(live).withGracePeriod(0).delete();
        }
      } catch (KubernetesClientException ignored) {
        // already gone
      }
    });
  }

  /** Endpoints: a Service name resolves to its ready pods (all pods with publishNotReadyAddresses). */
  private void syncServices() {
    for (Service service : services.getStore().list()) {
      Map<String, String> selector = service.getSpec().getSelector();
      if (selector == null || selector.isEmpty()) {
        continue;
      }
      boolean notReadyToo = Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses());
      Set<String> ips = new HashSet<>();
      String ns = service.getMetadata().getNamespace();
      for (PodRuntime r : runtimes.values()) {
        if (!r.namespace.equals(ns) || !(notReadyToo || (r.ready && r.process != null && r.process.isAlive()))) {
          continue;
        }
        Pod pod = pods.getStore().getByKey(ns + "/" + r.name);
        Map<String, String> labels = pod == null ? null : pod.getMetadata().getLabels();
        if (labels != null && labels.entrySet().containsAll(selector.entrySet())) {
          ips.add(r.address);
        }
      }
      dns.putService(ns, service.getMetadata().getName(), ips);
    }
  }

  /** Stops the loop and SIGKILLs every process at once (suite tear-down; graceful stops are for scenarios). */
  @Override
  public void close() {
    loop.shutdownNow();
    try {
      loop.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (pods != null) {
      pods.close();
    }
    if (services != null) {
      services.close();
    }
    everStarted.forEach(ContainerProcess::kill);
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException | IllegalArgumentException alreadyRunningOrNeverAdded) {
      // the hook kills them anyway, or was never registered
    }
  }
}
