package dev.etcdoperator.e2e;

import dev.etcdoperator.config.OperatorConfig;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterClassTemplateInvocationCallback;
import org.junit.jupiter.api.extension.BeforeClassTemplateInvocationCallback;
import org.junit.jupiter.api.extension.ClassTemplateInvocationContext;
import org.junit.jupiter.api.extension.ClassTemplateInvocationContextProvider;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Runs a scenario class once per backend: {@code local}, then {@code k3s}. Put {@code @ClassTemplate} and
 * {@code @ExtendWith(Backends.class)} on the class and take a {@link Scenario} as a test method parameter.
 *
 * <p>Each run starts its backend before the class's tests, in namespace {@code e2e-<class name in kebab case>},
 * saves pod logs when a test fails, and closes the backend after them; the local backend then checks that no etcd
 * process outlives it. Where K3s cannot run, each of its tests is reported skipped with the reason, decided before
 * anything is started or pulled.
 */
final class Backends implements ClassTemplateInvocationContextProvider {
  @Override
  public boolean supportsClassTemplate(ExtensionContext context) {
    return true;
  }

  @Override
  public Stream<ClassTemplateInvocationContext> provideClassTemplateInvocationContexts(ExtensionContext context) {
    String runName = kebab(context.getRequiredTestClass().getSimpleName().replaceFirst("Test$", ""));
    String namespace = ("e2e-" + runName).substring(0, Math.min(63, 4 + runName.length()));
    Duration replaceFailingAfter = Optional.ofNullable(context.getRequiredTestClass()
        .getAnnotation(ReplaceFailingMembersAfter.class)).map(a -> Duration.ofSeconds(a.seconds()))
        .orElse(OperatorConfig.DEFAULT_REPLACE_FAILING_MEMBER_AFTER);
    return Stream.of(
        invocation("local", new Lifecycle(() -> new LocalCluster(runName, namespace, replaceFailingAfter),
            Optional::empty)),
        invocation("k3s", new Lifecycle(() -> new K3sCluster(runName, namespace, replaceFailingAfter),
            K3sCluster::unavailableReason)));
  }

  private static ClassTemplateInvocationContext invocation(String name, Lifecycle lifecycle) {
    return new ClassTemplateInvocationContext() {
      @Override
      public String getDisplayName(int invocationIndex) {
        return name;
      }

      @Override
      public List<Extension> getAdditionalExtensions() {
        return List.of(lifecycle);
      }
    };
  }

  static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  /** One backend's run of one scenario class. */
  private static final class Lifecycle implements BeforeClassTemplateInvocationCallback,
      AfterClassTemplateInvocationCallback, ExecutionCondition,
      ParameterResolver, TestWatcher {
    private final Supplier<Backend> start;
    private final Supplier<Optional<String>> unavailable;
    private Optional<String> whyNot = Optional.empty();
    private Backend backend;
    private final PodLogsOnFailure logs = new PodLogsOnFailure(() -> backend == null ? null : backend.podLogs());

    Lifecycle(Supplier<Backend> start, Supplier<Optional<String>> unavailable) {
      this.start = start;
      this.unavailable = unavailable;
    }

    @Override
    public void beforeClassTemplateInvocation(ExtensionContext context) {
      whyNot = unavailable.get();
      if (whyNot.isEmpty()) {
        backend = start.get();
      }
    }

    /**
     * Per test, not per class: surefire reports a class skipped as a whole as "Tests run: 0" without the reason,
     * while a skipped test carries its message.
     */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      if (context.getTestMethod().isPresent() && whyNot.isPresent()) {
        return ConditionEvaluationResult.disabled(whyNot.get());
      }
      return ConditionEvaluationResult.enabled("the backend runs here");
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == Scenario.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      return new Scenario(backend);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      logs.testFailed(context, cause);
    }

    @Override
    public void afterClassTemplateInvocation(ExtensionContext context) {
      Backend running = backend;
      backend = null;
      if (running instanceof LocalCluster local) {
        NoProcessOutlives.closeAndCheck(local);
      } else if (running != null) {
        running.close();
      }
    }
  }
}
