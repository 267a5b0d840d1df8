package dev.etcdoperator.e2e;

import dev.etcdoperator.api.v1alpha1.BackupDestination;
import dev.etcdoperator.api.v1alpha1.ClusterReference;
import dev.etcdoperator.api.v1alpha1.EtcdBackup;
import dev.etcdoperator.api.v1alpha1.EtcdBackupSpec;
import dev.etcdoperator.api.v1alpha1.S3Destination;
import dev.etcdoperator.testing.S3ProxyServer;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Backups as load for a benchmark: clusters filled with data, then one {@code EtcdBackup} of each to S3Proxy in this
 * JVM, all created at once, so that they run while something else is measured.
 */
final class BackupLoad implements AutoCloseable {
  private static final String BUCKET = "bench-backups";
  private static final int VALUE_BYTES = 1024 * 1024;
  private static final int PUTS_IN_FLIGHT = 4;

  private final Scenario scenario;
  private final List<String> clusters;
  private final S3ProxyServer s3;

  /** Fills each of {@code clusters} with {@code mebibytes} of values and starts the store. */
  BackupLoad(Scenario scenario, List<String> clusters, int mebibytes) throws Exception {
    this.scenario = scenario;
    this.clusters = clusters;
    this.s3 = new S3ProxyServer("127.0.0.2");
    s3.createBucket(BUCKET);
    scenario.kube().secrets().inNamespace(scenario.namespace()).resource(S3ProxyServer.credentialsSecret("s3"))
        .createOr(existing -> existing.update());
    byte[] value = new byte[VALUE_BYTES];
    for (String cluster : clusters) {
      try (Client client = scenario.serviceClient(cluster)) {
        // A few puts in flight, not all: 64 MiB sent at once outlasted a put's 30 s wait on a saturated machine.
        Deque<CompletableFuture<?>> inFlight = new ArrayDeque<>();
        for (int i = 0; i < mebibytes; i++) {
          if (inFlight.size() == PUTS_IN_FLIGHT) {
            Scenario.join(inFlight.removeFirst());
          }
          inFlight.add(client.getKVClient().put(Scenario.bytes("/load/" + i), ByteSequence.from(value)));
        }
        inFlight.forEach(Scenario::join);
      }
    }
  }

  /** Creates one backup of each cluster, all at once. */
  void start(String run) {
    for (String cluster : clusters) {
      EtcdBackup backup = new EtcdBackup();
      backup.getMetadata().setName(cluster + "-" + run);
      EtcdBackupSpec spec = new EtcdBackupSpec();
      ClusterReference ref = new ClusterReference();
      ref.setName(cluster);
      spec.setClusterRef(ref);
      S3Destination destination = new S3Destination();
      destination.setBucket(BUCKET);
      destination.setEndpoint(s3.endpoint().toString());
      destination.setForcePathStyle(true);
      destination.setCredentialsSecretRef(new S3Destination.SecretReference("s3"));
      BackupDestination to = new BackupDestination();
      to.setS3(destination);
      spec.setDestination(to);
      backup.setSpec(spec);
      scenario.kube().resources(EtcdBackup.class).inNamespace(scenario.namespace()).resource(backup).create();
    }
  }

  /** How many of the backups of {@code run} are complete so far. */
  long complete(String run) {
    return scenario.kube().resources(EtcdBackup.class).inNamespace(scenario.namespace()).list().getItems().stream()
        .filter(b -> b.getMetadata().getName().endsWith("-" + run))
        .filter(b -> b.getStatus() != null && b.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Complete") && c.getStatus().equals("True")))
        .count();
  }

  @Override
  public void close() throws Exception {
    s3.close();
  }
}
