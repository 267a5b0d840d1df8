package dev.etcdoperator.e2e;

import dev.etcdoperator.cluster.model.FaultPoints;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A Kubernetes the scenarios run against, with the real operator running in this JVM: the {@code local} stand-in
 * ({@link LocalCluster}) or K3s ({@link K3sCluster}). One namespace per scenario class. What differs between them
 * (how a test reaches the members, how a process is signalled, where pod logs are) is behind this interface, so
 * each scenario is written once.
 */
interface Backend extends AutoCloseable {
  /** {@code local} or {@code k3s}. */
  String name();

  KubernetesClient client();

  String namespace();

  /** This run's own directory (client certificates, logs). */
  Path workDir();

  /** Endpoints through which this JVM reaches the cluster's clients as an application would. */
  List<String> clientEndpoints(String cluster);

  /** An endpoint of one member only; the server certificate names it. */
  String memberEndpoint(String cluster, int ordinal);

  /** Sends a signal by name ({@code KILL}, {@code STOP}, {@code CONT}) to the etcd process of a pod. */
  void signalMember(String pod, String signal);

  void stopOperator();

  /** Where the running operator serves its meters (Prometheus text), as the entry point does on HEALTH_PORT. */
  URI operatorMetricsUrl();

  default void startOperator() {
    startOperator(FaultPoints.NONE);
  }

  /** Starts the operator with fault points armed (see {@link CrashAt}). */
  void startOperator(FaultPoints faults);

  /** Saves every pod's log of the namespace (if not written as they go) and returns their directory. */
  Path podLogs();

  /** Pods of the namespace whose etcd process still runs (also a process still stopping after its pod went). */
  List<String> runningMembers();

  /** Whether the storage behind a claim of the namespace (its directory, or its PersistentVolume) still exists. */
  boolean claimDataExists(String claim);

  /** How long a new cluster may take to become Ready here (K3s pulls images and provisions volumes). */
  Duration readyTimeout();

  @Override
  void close();
}
