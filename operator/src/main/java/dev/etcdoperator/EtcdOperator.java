package dev.etcdoperator;

import dev.etcdoperator.cluster.EtcdClients;
import dev.etcdoperator.cluster.EtcdClusterReconciler;
import dev.etcdoperator.cluster.MemberEndpoints;
import dev.etcdoperator.config.OperatorConfig;
import dev.etcdoperator.etcd.EtcdConnection;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.time.Clock;
import java.util.Set;

/**
 * The running operator: JOSDK with our reconcilers on a given client. The entry point and the tests build it the
 * same way; only the member endpoints differ in tests, which point at etcd processes they started.
 */
public final class EtcdOperator implements AutoCloseable {
  private final Operator operator;
  private final MemberEndpoints memberEndpoints;
  private final EtcdClients etcdClients;

  public EtcdOperator(KubernetesClient client, OperatorConfig config, MemberEndpoints memberEndpoints, Clock clock) {
    this.memberEndpoints = memberEndpoints;
    this.etcdClients = new EtcdClients(urls -> EtcdConnection.plain(urls, config.etcdRequestTimeout()), clock);
    this.operator = new Operator(o -> {
      o.withKubernetesClient(client).withCloseClientOnStop(false);
      if (config.leaderElection()) {
        o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(config.leaseName(), config.leaseNamespace()));
      }
    });
    var reconciler = new EtcdClusterReconciler(client, memberEndpoints, etcdClients,
        new EtcdClusterReconciler.Settings(config.defaultEtcdVersion(), config.etcdImageRepository(),
            config.resyncInterval()), clock);
    Set<String> namespaces = config.watchNamespaces();
    operator.register(reconciler, o -> {
      if (!namespaces.isEmpty()) {
        o.settingNamespaces(namespaces);
      }
    });
  }

  public void start() {
    operator.start();
  }

  @Override
  public void close() {
    operator.stop();
    etcdClients.close();
    memberEndpoints.close();
  }
}
