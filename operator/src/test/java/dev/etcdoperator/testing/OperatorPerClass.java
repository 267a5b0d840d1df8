package dev.etcdoperator.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An {@link OperatorTestEnvironment} for one test class, started before its first test and closed after its last:
 * register it as a static field with {@code @RegisterExtension}.
 */
public final class OperatorPerClass implements BeforeAllCallback, AfterAllCallback {
  private final String namespace;
  private OperatorTestEnvironment env;

  public OperatorPerClass(String namespace) {
    this.namespace = namespace;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    env = new OperatorTestEnvironment(namespace);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (env != null) {
      env.close();
    }
  }

  public OperatorTestEnvironment env() {
    return env;
  }
}
