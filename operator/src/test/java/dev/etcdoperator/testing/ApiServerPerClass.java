package dev.etcdoperator.testing;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test API server for one test class, started before its first test and stopped after its last: register it as a
 * static field with {@code @RegisterExtension}.
 */
public final class ApiServerPerClass implements BeforeAllCallback, AfterAllCallback {
  private final boolean crds;
  private TestApiServer server;
  private KubernetesClient withoutRetries;

  private ApiServerPerClass(boolean crds) {
    this.crds = crds;
  }

  public static ApiServerPerClass plain() {
    return new ApiServerPerClass(false);
  }

  /** With the project's CRDs installed. */
  public static ApiServerPerClass withCrds() {
    return new ApiServerPerClass(true);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    server = TestApiServer.start();
    if (crds) {
      server.installCrds();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (withoutRetries != null) {
      withoutRetries.close();
    }
    if (server != null) {
      server.close();
    }
  }

  public TestApiServer server() {
    return server;
  }

  public KubernetesClient client() {
    return server.client();
  }

  /**
   * A client that answers a refused request (429) at once, where Fabric8 retries it with backoff for some 20 s:
   * for tests of the refusal itself, such as an eviction a disruption budget refuses.
   */
  public synchronized KubernetesClient clientWithoutRetries() {
    if (withoutRetries == null) {
      withoutRetries = new KubernetesClientBuilder().withConfig(new ConfigBuilder(client().getConfiguration())
          .withRequestRetryBackoffLimit(0).build()).build();
    }
    return withoutRetries;
  }
}
