package dev.etcdoperator.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterSpec;
import dev.etcdoperator.api.v1alpha1.MemberStatus;
import dev.etcdoperator.api.v1alpha1.StorageSpec;
import dev.etcdoperator.api.v1alpha1.TlsSpec;
import dev.etcdoperator.cluster.model.FaultPoints;
import dev.etcdoperator.etcd.EtcdClient;
import dev.etcdoperator.etcd.EtcdConnection;
import dev.etcdoperator.etcd.EtcdTls;
import dev.etcdoperator.resources.ClusterLabels;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.options.GetOption;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * What a scenario does to a {@link Backend}, in the words of the scenarios: apply or patch an {@code EtcdCluster},
 * wait for a condition, read and write keys through the client Service with a client certificate, kill, pause or
 * resume a member, delete a pod or a claim, restart the operator, collect logs. One namespace per scenario class.
 */
final class Scenario {
  /** The client certificate every scenario's clusters issue ({@code <cluster>-client-e2e}). */
  static final String CLIENT_CERTIFICATE = "e2e";
  private static final int LOG_TAIL_LINES = 6;
  private static final int LOG_LINE_CHARS = 400;

  private final Backend backend;
  private final String namespace;

  Scenario(Backend backend) {
    this.backend = backend;
    this.namespace = backend.namespace();
  }

  Backend backend() {
    return backend;
  }

  /** One member with the default TLS on an emptyDir: the benchmarks' many small clusters. */
  EtcdCluster oneMemberOnEmptyDir(String name) {
    EtcdCluster etcd = tlsCluster(name, 1);
    StorageSpec storage = new StorageSpec();
    storage.setEmptyDir(new StorageSpec.EmptyDirStorage());
    etcd.getSpec().setStorage(storage);
    return etcd;
  }

  /** A cluster of {@code replicas} members with the default TLS and the scenarios' client certificate. */
  EtcdCluster tlsCluster(String name, int replicas) {
    EtcdCluster etcd = new EtcdCluster();
    etcd.getMetadata().setName(name);
    etcd.getMetadata().setNamespace(namespace);
    etcd.setSpec(new EtcdClusterSpec());
    etcd.getSpec().setReplicas(replicas);
    TlsSpec tls = new TlsSpec();
    TlsSpec.ClientCertificate app = new TlsSpec.ClientCertificate();
    app.setName(CLIENT_CERTIFICATE);
    tls.getClientCertificates().add(app);
    etcd.getSpec().setTls(tls);
    etcd.setStatus(null);
    return etcd;
  }

  KubernetesClient kube() {
    return backend.client();
  }

  String namespace() {
    return namespace;
  }

  /** Creates the cluster, or replaces its spec when it exists. */
  EtcdCluster apply(EtcdCluster etcd) {
    return kube().resources(EtcdCluster.class).inNamespace(namespace).resource(etcd)
        .createOr(NonDeletingOperation::update);
  }

  /**
   * Changes the cluster as {@code kubectl edit} does: read, change, write with the read resourceVersion, and again
   * when the operator wrote in between (a status update, its finalizer) and the write was refused as a conflict.
   */
  EtcdCluster patch(String name, UnaryOperator<EtcdCluster> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        return kube().resources(EtcdCluster.class).inNamespace(namespace).withName(name).edit(change);
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == 10) {
          throw e;
        }
      }
    }
  }

  EtcdCluster get(String name) {
    return kube().resources(EtcdCluster.class).inNamespace(namespace).withName(name).get();
  }

  void delete(String name) {
    kube().resources(EtcdCluster.class).inNamespace(namespace).withName(name).delete();
  }

  /**
   * The reasons of the Events about cluster {@code name}, each as many times as it happened: the operator counts a
   * repeated event on the Event it wrote before (as kubectl shows "x3").
   */
  List<String> eventReasons(String name) {
    return kube().v1().events().inNamespace(namespace()).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .flatMap(e -> Collections.nCopies(e.getCount() == null ? 1 : e.getCount(), e.getReason()).stream())
        .toList();
  }

  static boolean hasCondition(EtcdCluster etcd, String type, String status) {
    return etcd != null && etcd.getStatus() != null && etcd.getStatus().getConditions() != null
        && etcd.getStatus().getConditions().stream()
            .anyMatch(c -> type.equals(c.getType()) && status.equals(c.getStatus()));
  }

  /**
   * Waits until the cluster is in the state {@code done} describes; on timeout the message carries the cluster's
   * status, so that a failure on a machine whose logs are out of reach still says where the operator stood.
   */
  EtcdCluster awaitCluster(String name, String what, Duration atMost, Predicate<EtcdCluster> done) {
    await(name + " " + what).atMost(atMost).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      EtcdCluster etcd = get(name);
      assertThat(etcd != null && done.test(etcd)).as(() -> ClusterSummary.of(etcd) + memberPods(name)).isTrue();
    });
    return get(name);
  }

  /** The cluster's pods, and the last lines of each one not ready: what its members were doing. */
  private String memberPods(String name) {
    StringBuilder out = new StringBuilder("\n pods:");
    for (Pod pod : kube().pods().inNamespace(namespace()).withLabel(ClusterLabels.INSTANCE, name).list()
        .getItems()) {
      boolean ready = Optional.ofNullable(pod.getStatus()).map(PodStatus::getConditions).orElse(List.of()).stream()
          .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
      int restarts = Optional.ofNullable(pod.getStatus()).map(PodStatus::getContainerStatuses).orElse(List.of())
          .stream().mapToInt(c -> Optional.ofNullable(c.getRestartCount()).orElse(0)).sum();
      out.append("\n  ").append(pod.getMetadata().getName()).append(" uid=").append(pod.getMetadata().getUid())
          .append(" ready=").append(ready).append(" restarts=").append(restarts);
      Path log = backend.podLogs().resolve(namespace() + "_" + pod.getMetadata().getName() + ".log");
      if (!ready && Files.isRegularFile(log)) {
        try {
          List<String> lines = Files.readAllLines(log);
          lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()).forEach(l -> out.append("\n    ")
              .append(l, 0, Math.min(l.length(), LOG_LINE_CHARS)));
        } catch (IOException e) {
          out.append(" (log unreadable: ").append(e.getMessage()).append(")");
        }
      }
    }
    return out.toString();
  }

  EtcdCluster awaitCondition(String name, String type, String status, Duration atMost) {
    return awaitCluster(name, type + "=" + status, atMost, etcd -> hasCondition(etcd, type, status));
  }

  /** Ready, no membership change under way, and exactly the members {@code <name>-0 .. <name>-(replicas-1)}, voting. */
  EtcdCluster awaitVotingMembers(String name, int replicas, Duration atMost) {
    List<String> expected = IntStream.range(0, replicas).mapToObj(i -> name + "-" + i).toList();
    return awaitCluster(name, "Ready with " + replicas + " voting members", atMost,
        etcd -> hasCondition(etcd, "Ready", "True") && etcd.getStatus().getMembershipChange() == null
            && etcd.getStatus().getMembers().stream().noneMatch(m -> Boolean.TRUE.equals(m.getLearner()))
            && etcd.getStatus().getMembers().stream().map(MemberStatus::getName).toList().equals(expected));
  }

  EtcdCluster awaitReady(String name) {
    return awaitCondition(name, "Ready", "True", backend.readyTimeout());
  }

  /** A client as an application has it: through the client Service, with the application's certificate. */
  Client serviceClient(String name) {
    return ServiceClient.connect(kube(), namespace, name, CLIENT_CERTIFICATE, certificateDir(name),
        backend.clientEndpoints(name));
  }

  /** A client of one member only. */
  Client memberClient(String name, int ordinal) {
    return ServiceClient.connect(kube(), namespace, name, CLIENT_CERTIFICATE, certificateDir(name),
        List.of(backend.memberEndpoint(name, ordinal)));
  }

  /**
   * The highest raft term the members report: it grows by one with each election, so its growth over a change
   * counts the elections the change caused.
   */
  long raftTerm(String name, int members) {
    List<URI> endpoints = IntStream.range(0, members).mapToObj(i -> URI.create(backend.memberEndpoint(name, i)))
        .toList();
    EtcdTls files = ServiceClient.files(kube(), namespace, name, CLIENT_CERTIFICATE,
        certificateDir(name).resolve("term"));
    try (EtcdClient etcd = EtcdClient.connect(EtcdConnection.withTls(endpoints, Duration.ofSeconds(5), files))) {
      return endpoints.stream().mapToLong(e -> etcd.status(e).raftTerm()).max().orElseThrow();
    }
  }

  private Path certificateDir(String name) {
    return backend.workDir().resolve("client-" + name);
  }

  /**
   * Hands leadership to a member, as an administrator would with {@code etcdctl move-leader}: asked of the current
   * leader (from status.leader), then waits until the status names the new one.
   */
  void makeLeader(String name, int ordinal) {
    String target = name + "-" + ordinal;
    await(target + " leads").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
        .ignoreExceptions().until(() -> {
          EtcdCluster etcd = get(name);
          String leader = etcd.getStatus().getLeader();
          if (target.equals(leader)) {
            return true;
          }
          long targetId = etcd.getStatus().getMembers().stream().filter(m -> target.equals(m.getName()))
              .map(m -> Long.parseUnsignedLong(m.getId(), 16)).findFirst().orElseThrow();
          int leaderOrdinal = Integer.parseInt(leader.substring(name.length() + 1));
          try (Client client = memberClient(name, leaderOrdinal)) {
            join(client.getMaintenanceClient().moveLeader(targetId));
          }
          return false;
        });
  }

  static ByteSequence bytes(String text) {
    return ByteSequence.from(text, UTF_8);
  }

  /** Writes {@code <prefix><i>} = {@code value-<i>} for i in [0, count), 100 in flight at a time. */
  static void writeKeys(Client client, String prefix, int count) {
    KV kv = client.getKVClient();
    List<CompletableFuture<?>> puts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      puts.add(kv.put(bytes(prefix + String.format("%05d", i)), bytes("value-" + i)));
      if (puts.size() == 100 || i == count - 1) {
        join(CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)));
        puts.clear();
      }
    }
  }

  /** Every key under the prefix with its value (a linearizable range read). */
  static Map<String, String> readKeys(Client client, String prefix) {
    var response = join(client.getKVClient().get(bytes(prefix), GetOption.builder().isPrefix(true).build()));
    Map<String, String> all = new TreeMap<>();
    response.getKvs().forEach(kv -> all.put(kv.getKey().toString(UTF_8), kv.getValue().toString(UTF_8)));
    return all;
  }

  static <T> T join(CompletableFuture<T> future) {
    try {
      return future.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("etcd request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGKILL to the member's process: the kubelet restarts the container (same pod, same data). */
  void killMember(String pod) {
    backend.signalMember(pod, "KILL");
  }

  /** SIGSTOP: the member is unreachable (connections hang) until {@link #resumeMember}. */
  void pauseMember(String pod) {
    backend.signalMember(pod, "STOP");
  }

  void resumeMember(String pod) {
    backend.signalMember(pod, "CONT");
  }

  Pod pod(String pod) {
    return kube().pods().inNamespace(namespace).withName(pod).get();
  }

  int restartCount(String pod) {
    Pod live = pod(pod);
    if (live == null || live.getStatus() == null || live.getStatus().getContainerStatuses() == null
        || live.getStatus().getContainerStatuses().isEmpty()) {
      return 0;
    }
    return live.getStatus().getContainerStatuses().get(0).getRestartCount();
  }

  /** The id of the pod's current container ({@code status.containerStatuses[0].containerID}); new on a restart. */
  String containerId(String pod) {
    Pod live = pod(pod);
    if (live == null || live.getStatus() == null || live.getStatus().getContainerStatuses() == null
        || live.getStatus().getContainerStatuses().isEmpty()) {
      return null;
    }
    return live.getStatus().getContainerStatuses().get(0).getContainerID();
  }

  void deletePod(String pod) {
    kube().pods().inNamespace(namespace).withName(pod).delete();
  }

  /** Deletes a claim: it stays Terminating, with its data, while a pod uses it (PVC protection). */
  void deleteClaim(String claim) {
    kube().persistentVolumeClaims().inNamespace(namespace).withName(claim).delete();
  }

  void stopOperator() {
    backend.stopOperator();
  }

  void startOperator() {
    backend.startOperator();
  }

  /** Closes the running operator and starts a new instance against the same API server. */
  void restartOperator() {
    restartOperator(FaultPoints.NONE);
  }

  /** Closes the running operator and starts a new instance with fault points armed. */
  void restartOperator(FaultPoints faults) {
    backend.stopOperator();
    backend.startOperator(faults);
  }

  /** Copies every pod's log (all restarts appended) to {@code target}; returns the copies. */
  List<Path> collectLogs(Path target) {
    try (Stream<Path> logs = Files.list(backend.podLogs())) {
      Files.createDirectories(target);
      List<Path> copies = new ArrayList<>();
      for (Path log : logs.sorted().toList()) {
        copies.add(Files.copy(log, target.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING));
      }
      return copies;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
