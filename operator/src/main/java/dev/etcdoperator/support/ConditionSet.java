package dev.etcdoperator.support;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds the next list of conditions from the previous one, following the Kubernetes conventions:
 * lastTransitionTime moves only when a condition's status changes.
 */
public final class ConditionSet {
  private final List<Condition> previous;
  private final List<Condition> next = new ArrayList<>();
  private final long observedGeneration;
  private final Clock clock;

  public ConditionSet(List<Condition> previous, long observedGeneration, Clock clock) {
    this.previous = previous == null ? List.of() : previous;
    this.observedGeneration = observedGeneration;
    this.clock = clock;
  }

  public ConditionSet set(String type, boolean status, String reason, String message) {
    return set(type, status ? "True" : "False", reason, message);
  }

  /** The operator cannot tell (Kubernetes conventions: status Unknown). */
  public ConditionSet setUnknown(String type, String reason, String message) {
    return set(type, "Unknown", reason, message);
  }

  private ConditionSet set(String type, String statusText, String reason, String message) {
    String transition = find(previous, type)
        .filter(old -> Objects.equals(old.getStatus(), statusText))
        .map(Condition::getLastTransitionTime)
        .orElseGet(() -> DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS)));
    next.removeIf(c -> c.getType().equals(type));
    next.add(new ConditionBuilder().withType(type).withStatus(statusText).withReason(reason).withMessage(message)
        .withObservedGeneration(observedGeneration).withLastTransitionTime(transition).build());
    return this;
  }

  public List<Condition> build() {
    return List.copyOf(next);
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }
}
