package dev.etcdoperator.e2e;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The local backend for one scenario class: starts a {@link LocalCluster} before the class, saves pod logs when a
 * test fails, and afterwards closes everything and checks that no etcd process outlives the class. Register it as
 * a static field with {@code @RegisterExtension}.
 */
final class LocalBackend implements BeforeAllCallback, AfterAllCallback, TestWatcher {
  private final String runName;
  private final String namespace;
  private LocalCluster cluster;
  private Scenario scenario;
  private final PodLogsOnFailure logs = new PodLogsOnFailure(() -> cluster == null ? null : cluster.logsDir());

  LocalBackend(String runName, String namespace) {
    this.runName = runName;
    this.namespace = namespace;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    cluster = new LocalCluster(runName, namespace);
    scenario = new Scenario(cluster);
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    logs.testFailed(context, cause);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    NoProcessOutlives.closeAndCheck(cluster);
  }

  LocalCluster cluster() {
    return cluster;
  }

  Scenario scenario() {
    return scenario;
  }
}
