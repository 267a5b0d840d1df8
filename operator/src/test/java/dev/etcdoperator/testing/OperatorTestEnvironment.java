package dev.etcdoperator.testing;

import dev.etcdoperator.access.MemberEndpoints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.EtcdOperator;
import dev.etcdoperator.HealthEndpoint;
import dev.etcdoperator.cluster.model.FaultPoints;
import dev.etcdoperator.metrics.OperatorMeters;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterSpec;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.StorageSpec;
import dev.etcdoperator.api.v1alpha1.TlsSpec;
import dev.etcdoperator.config.OperatorConfig;
import dev.etcdoperator.pki.CertificateAuthority;
import dev.etcdoperator.pki.EtcdCertificateSet;
import dev.etcdoperator.pki.IssuedCertificate;
import dev.etcdoperator.pki.KeyAlgorithm;
import dev.etcdoperator.pki.TlsMemberFiles;
import dev.etcdoperator.resources.TlsSecretBuilder;
import dev.etcdoperator.support.ConditionSet;
import dev.etcdoperator.support.EtcdVersion;
import dev.etcdoperator.support.IpFamily;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The real JOSDK operator against a Kubernetes API stand-in (Fabric8's mock server in CRUD mode, in its own
 * process), with real etcd processes behind the EtcdClient where a scenario needs a running cluster.
 *
 * <p>One instance per test class, usually through {@link OperatorPerClass}. Each instance has its own API server,
 * operator and namespace, so test classes cannot see each other's objects.
 */
public final class OperatorTestEnvironment implements AutoCloseable {
  public static final Duration WAIT = Duration.ofSeconds(30);

  private final String namespace;
  /** Pods of the clusters named here are answered by these etcd processes; other clusters have no reachable member. */
  private final Map<String, EtcdProcessCluster> etcd = new ConcurrentHashMap<>();
  private final TestApiServer apiServer;
  private final KubernetesClient client;
  private final EtcdOperator operator;
  private final OperatorMeters meters;
  /** The operator's own client, which says it is the operator: the stand-in counts its requests apart. */
  private final KubernetesClient operatorClient;
  /** The operator's HTTP port as the entry point serves it (probes and /metrics), on a free port. */
  private final HealthEndpoint http;

  /** Starts an API server, installs the CRDs and starts the operator; objects are made in {@code namespace}. */
  public OperatorTestEnvironment(String namespace) {
    this.namespace = namespace;
    apiServer = TestApiServer.start();
    try {
      client = apiServer.client();
      apiServer.installCrds();
      OperatorConfig config = new OperatorConfig(Set.of(), new EtcdVersion(3, 4, 23),
          "gcr.io/etcd-development/etcd", OperatorConfig.MemberAccess.DIRECT, Duration.ofSeconds(2),
          Duration.ofSeconds(2), 0, false, "lease", namespace, "test-operator", "cluster.local",
          OperatorConfig.DEFAULT_OPERATOR_IMAGE,
          OperatorConfig.DEFAULT_REPLACE_FAILING_MEMBER_AFTER,
          IpFamily.IPV4);
      MemberEndpoints endpoints = (cluster, pods) -> {
        EtcdProcessCluster members = etcd.get(cluster.getMetadata().getName());
        Map<String, URI> urls = new HashMap<>();
        for (Pod pod : pods) {
          String name = pod.getMetadata().getName();
          int ordinal = Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
          urls.put(name, members != null ? members.clientUrl(ordinal) : URI.create("http://127.0.0.1:1"));
        }
        return urls;
      };
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      meters = new OperatorMeters(registry, Clock.systemUTC());
      operatorClient = apiServer.newClient(EtcdOperator.USER_AGENT);
      operator = new EtcdOperator(operatorClient, config, endpoints, Clock.systemUTC(), () -> {
        throw new AssertionError("leader election is off in this test");
      }, FaultPoints.NONE, meters);
      http = new HealthEndpoint(0, operator::isLive, () -> true, registry::scrape);
      operator.start();
    } catch (IOException e) {
      apiServer.close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException | Error e) {
      apiServer.close();
      throw e;
    }
  }

  /** Where the operator serves its meters in Prometheus' text format, as the entry point does on HEALTH_PORT. */
  public URI metricsUrl() {
    return URI.create("http://127.0.0.1:" + http.port() + "/metrics");
  }

  @Override
  public void close() {
    try {
      http.close();
      operator.close();
      meters.close();
      operatorClient.close();
    } finally {
      try {
        etcd.values().forEach(EtcdProcessCluster::close);
      } finally {
        apiServer.close();
      }
    }
  }

  /** The operator's requests to the API server so far, by method and resource ("GET apps/statefulsets"). */
  public Map<String, Long> operatorRequests() {
    Map<String, Long> operator = new TreeMap<>();
    apiServer.requestCounts().forEach((kind, count) -> {
      if (kind.startsWith(EtcdOperator.USER_AGENT + " ")) {
        operator.put(kind.substring(EtcdOperator.USER_AGENT.length() + 1), count);
      }
    });
    return operator;
  }

  public KubernetesClient client() {
    return client;
  }

  /** The etcd processes answering for each cluster name; put one in before its pods need to answer. */
  public Map<String, EtcdProcessCluster> etcd() {
    return etcd;
  }

  public EtcdCluster create(String name, Consumer<EtcdCluster> customize) {
    EtcdCluster cluster = new EtcdCluster();
    cluster.getMetadata().setName(name);
    cluster.getMetadata().setNamespace(namespace);
    cluster.setSpec(new EtcdClusterSpec());
    cluster.setStatus(null);
    customize.accept(cluster);
    return client.resources(EtcdCluster.class).inNamespace(namespace).resource(cluster).create();
  }

  /** Edits the spec, retrying when the operator's status write got in between (409), as kubectl does. */
  public void editSpec(String name, UnaryOperator<EtcdCluster> change) {
    await().atMost(WAIT).ignoreException(KubernetesClientException.class)
        .until(() -> resource(name).edit(change) != null);
  }

  public Resource<EtcdCluster> resource(String name) {
    return client.resources(EtcdCluster.class).inNamespace(namespace).withName(name);
  }

  public EtcdClusterStatus status(String name) {
    EtcdCluster cluster = resource(name).get();
    assertThat(cluster.getStatus()).as("status of %s", name).isNotNull();
    return cluster.getStatus();
  }

  public static Condition condition(EtcdClusterStatus status, String type) {
    return ConditionSet.find(status.getConditions(), type).orElseThrow(() -> new AssertionError("no " + type));
  }

  public List<String> etcdArgs(String cluster) {
    return get(StatefulSet.class, cluster).getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
  }

  public <T extends HasMetadata> T get(Class<T> type, String name) {
    return client.resources(type).inNamespace(namespace).withName(name).get();
  }

  public List<Event> eventsAbout(String cluster) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> cluster.equals(e.getInvolvedObject().getName())).toList();
  }

  /** The mock API server runs no kubelet: makes the pod the StatefulSet would create, running and ready. */
  public void runReadyPod(String cluster, int ordinal) {
    StatefulSet sts = get(StatefulSet.class, cluster);
    Pod pod = new PodBuilder().withNewMetadata().withName(cluster + "-" + ordinal).withNamespace(namespace)
        .withLabels(sts.getSpec().getTemplate().getMetadata().getLabels()).endMetadata()
        .withSpec(sts.getSpec().getTemplate().getSpec()).build();
    Pod created = client.pods().inNamespace(namespace).resource(pod).create();
    created.setStatus(new PodStatusBuilder().withPhase("Running")
        .addNewCondition().withType("Ready").withStatus("True").endCondition().build());
    client.pods().inNamespace(namespace).resource(created).updateStatus();
  }

  /** Real TLS members whose certificates come from the CA the operator keeps for {@code cluster}. */
  public EtcdProcessCluster.Builder tlsMembers(String cluster, int members, Path dir) {
    await().atMost(WAIT).until(() -> get(Secret.class, cluster + "-ca") != null);
    Secret caSecret = get(Secret.class, cluster + "-ca");
    CertificateAuthority ca = CertificateAuthority.fromPem(TlsSecretBuilder.text(caSecret, TlsSecretBuilder.CA_CERT),
        TlsSecretBuilder.text(caSecret, TlsSecretBuilder.CA_KEY), Clock.systemUTC());
    EtcdCertificateSet set = new EtcdCertificateSet(cluster, namespace, "cluster.local", KeyAlgorithm.ECDSA_P256,
        Duration.ofDays(30), Duration.ofDays(10));
    return new TlsMemberFiles(dir.resolve("pki"), ca.certificatePem(), set, ca::issue)
        .configure(EtcdProcessCluster.builder(dir.resolve("etcd")).members(members).namePrefix(cluster));
  }

  /** Creates or replaces a kubernetes.io/tls Secret as cert-manager would write it. */
  public void userSecret(String name, CertificateAuthority ca, IssuedCertificate issued) {
    client.secrets().inNamespace(namespace).resource(new SecretBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .withType("kubernetes.io/tls")
        .addToStringData(TlsSecretBuilder.TLS_CERT, issued.certificatePem())
        .addToStringData(TlsSecretBuilder.TLS_KEY, issued.privateKeyPem())
        .addToStringData(TlsSecretBuilder.CA_CERT, ca.certificatePem())
        .build()).createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
  }

  public static TlsSpec tls(TlsSpec.Mode mode) {
    TlsSpec tls = new TlsSpec();
    tls.setMode(mode);
    return tls;
  }

  public static StorageSpec storage(String size) {
    StorageSpec storage = new StorageSpec();
    storage.setSize(size);
    return storage;
  }
}
