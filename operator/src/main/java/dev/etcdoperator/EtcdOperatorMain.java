package dev.etcdoperator;

import dev.etcdoperator.access.DirectMemberEndpoints;
import dev.etcdoperator.access.MemberEndpoints;
import dev.etcdoperator.access.PortForwardMemberEndpoints;
import dev.etcdoperator.cluster.model.FaultPoints;
import dev.etcdoperator.config.OperatorConfig;
import dev.etcdoperator.metrics.OperatorMeters;
import dev.etcdoperator.restore.RestoreStep;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point: configuration, client, operator, health endpoint; or one step of a restore pod. */
public final class EtcdOperatorMain {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdOperatorMain.class);
  private static final java.util.List<String> CRD_NAMES = java.util.List.of("etcdclusters.etcdoperator.dev",
      "etcdbackups.etcdoperator.dev");
  private static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

  private EtcdOperatorMain() {}

  public static void main(String[] args) throws Exception {
    JavaLoggingBridge.install();
    PodAddressCaching.apply();
    if (ClassDataTraining.isTraining(args)) {
      // The image build's run: a probe rehearsed, then the start below, which finds no API server and exits.
      LOG.info("class-data training: a probe of an in-process TLS endpoint ended with: {}",
          ClassDataTraining.rehearseProbe());
    }
    // Restore pods run the operator's image for the steps around etcd's own restore tool.
    if (RestoreStep.isRestoreStep(args)) {
      System.exit(RestoreStep.run(args));
      return;
    }
    // The environment is read here, once, and handed to the configuration.
    Map<String, String> env = System.getenv();
    boolean inCluster = Files.exists(SERVICE_ACCOUNT.resolve("token")) && env.containsKey("KUBERNETES_SERVICE_HOST");
    OperatorConfig config;
    try {
      config = OperatorConfig.fromEnvironment(env, inCluster, podNamespace());
    } catch (IllegalArgumentException e) {
      LOG.error("etcd-operator cannot start: {}", e.getMessage());
      System.exit(2);
      return;
    }

    KubernetesClient client = new KubernetesClientBuilder().withHttpClientFactory(new ResumingWatchHttpClientFactory())
        .withConfig(new ConfigBuilder(Config.autoConfigure(null)).withUserAgent(EtcdOperator.USER_AGENT).build())
        .build();
    String problem = apiServerProblem(client);
    if (problem != null) {
      LOG.error("etcd-operator cannot start: {}", problem);
      client.close();
      System.exit(1);
      return;
    }

    MemberEndpoints endpoints = switch (config.memberAccess()) {
      case PORT_FORWARD -> new PortForwardMemberEndpoints(client, Clock.systemUTC());
      case DIRECT, AUTO -> new DirectMemberEndpoints(config.clusterDomain());
    };
    AtomicBoolean started = new AtomicBoolean();
    CountDownLatch stopped = new CountDownLatch(1);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorMeters meters = new OperatorMeters(registry, Clock.systemUTC());
    EtcdOperator operator = new EtcdOperator(client, config, endpoints, Clock.systemUTC(),
        () -> System.exit(1), FaultPoints.NONE, meters);
    HealthEndpoint health = new HealthEndpoint(config.healthPort(), operator::isLive, started::get,
        registry::scrape);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("shutting down");
      operator.close();
      health.close();
      meters.close();
      client.close();
      stopped.countDown();
    }, "shutdown"));

    LOG.info("etcd-operator starting: API server {}, namespaces {}, member access {}, health and /metrics on :{}",
        client.getMasterUrl(), config.watchNamespaces().isEmpty() ? "all" : config.watchNamespaces(),
        config.memberAccess(), health.port());
    operator.start();
    started.set(true);
    stopped.await();
  }

  /** One line saying what is wrong with the API server connection, or null when it is usable. */
  private static String apiServerProblem(KubernetesClient client) {
    try {
      for (String crd : CRD_NAMES) {
        if (client.apiextensions().v1().customResourceDefinitions().withName(crd).get() == null) {
          return "the CRD " + crd + " is not installed in " + client.getMasterUrl()
              + " (install the CRDs with: kubectl apply -f crds/)";
        }
      }
      return null;
    } catch (KubernetesClientException e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      return "no Kubernetes API server reachable at " + client.getMasterUrl() + " (" + root.getClass().getSimpleName()
          + (root.getMessage() == null ? "" : ": " + root.getMessage()) + "); check your kubeconfig or KUBECONFIG";
    }
  }

  private static String podNamespace() {
    try {
      return Files.readString(SERVICE_ACCOUNT.resolve("namespace")).trim();
    } catch (IOException e) {
      return null;
    }
  }
}
