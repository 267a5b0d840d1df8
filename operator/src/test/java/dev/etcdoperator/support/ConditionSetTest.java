package dev.etcdoperator.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionSetTest {
  private static final Clock T1 = Clock.fixed(Instant.parse("2026-11-01T10:00:00.750Z"), ZoneOffset.UTC);
  private static final Clock T2 = Clock.fixed(Instant.parse("2026-11-01T11:30:00Z"), ZoneOffset.UTC);

  private static Condition only(List<Condition> conditions, String type) {
    return ConditionSet.find(conditions, type).orElseThrow();
  }

  @Test
  void newConditionTakesTheClockToTheSecond() {
    List<Condition> conditions = new ConditionSet(null, 3, T1).set("Ready", true, "AllGood", "fine").build();

    assertThat(conditions).singleElement().satisfies(c -> {
      assertThat(c.getType()).isEqualTo("Ready");
      assertThat(c.getStatus()).isEqualTo("True");
      assertThat(c.getReason()).isEqualTo("AllGood");
      assertThat(c.getMessage()).isEqualTo("fine");
      assertThat(c.getObservedGeneration()).isEqualTo(3L);
      assertThat(c.getLastTransitionTime()).isEqualTo("2026-11-01T10:00:00Z");
    });
  }

  @Test
  void falseIsWrittenAsFalse() {
    List<Condition> conditions = new ConditionSet(List.of(), 1, T1).set("Ready", false, "NotYet", "wait").build();

    assertThat(only(conditions, "Ready").getStatus()).isEqualTo("False");
  }

  @Test
  void unchangedStatusKeepsTheTimeButTakesTheNewReasonMessageAndGeneration() {
    List<Condition> first = new ConditionSet(null, 1, T1).set("Available", true, "QuorumHealthy", "ok").build();

    List<Condition> second = new ConditionSet(first, 2, T2)
        .set("Available", true, "QuorumHealthyAgain", "still ok").build();

    Condition c = only(second, "Available");
    assertThat(c.getLastTransitionTime()).isEqualTo("2026-11-01T10:00:00Z");
    assertThat(c.getReason()).isEqualTo("QuorumHealthyAgain");
    assertThat(c.getMessage()).isEqualTo("still ok");
    assertThat(c.getObservedGeneration()).isEqualTo(2L);
  }

  @Test
  void changedStatusMovesTheTime() {
    List<Condition> first = new ConditionSet(null, 1, T1).set("Available", true, "QuorumHealthy", "ok").build();

    List<Condition> second = new ConditionSet(first, 1, T2).set("Available", false, "QuorumLost", "down").build();

    assertThat(only(second, "Available").getLastTransitionTime()).isEqualTo("2026-11-01T11:30:00Z");
  }

  @Test
  void previousConditionWithoutATimeGetsTheClock() {
    Condition old = new ConditionBuilder().withType("Ready").withStatus("True").withReason("x").build();

    List<Condition> next = new ConditionSet(List.of(old), 1, T2).set("Ready", true, "x", "y").build();

    assertThat(only(next, "Ready").getLastTransitionTime()).isEqualTo("2026-11-01T11:30:00Z");
  }

  @Test
  void settingATypeTwiceKeepsTheLastAndOneEntry() {
    List<Condition> conditions = new ConditionSet(null, 1, T1)
        .set("Ready", false, "First", "a")
        .set("Available", true, "Up", "b")
        .set("Ready", true, "Second", "c")
        .build();

    assertThat(conditions).extracting(Condition::getType).containsExactlyInAnyOrder("Ready", "Available");
    assertThat(only(conditions, "Ready").getReason()).isEqualTo("Second");
    assertThat(only(conditions, "Ready").getStatus()).isEqualTo("True");
  }

  @Test
  void onlyTheConditionsSetAreBuilt() {
    List<Condition> first = new ConditionSet(null, 1, T1)
        .set("Ready", true, "A", "a").set("Degraded", false, "B", "b").build();

    List<Condition> second = new ConditionSet(first, 1, T2).set("Ready", true, "A", "a").build();

    assertThat(second).extracting(Condition::getType).containsExactly("Ready");
  }

  @Test
  void builtListIsImmutable() {
    List<Condition> conditions = new ConditionSet(null, 1, T1).set("Ready", true, "A", "a").build();

    assertThat(conditions).isUnmodifiable();
  }

  @Test
  void findAndIsTrue() {
    List<Condition> conditions = new ConditionSet(null, 1, T1)
        .set("Ready", true, "A", "a").set("Degraded", false, "B", "b").build();

    assertThat(ConditionSet.isTrue(conditions, "Ready")).isTrue();
    assertThat(ConditionSet.isTrue(conditions, "Degraded")).isFalse();
    assertThat(ConditionSet.isTrue(conditions, "Missing")).isFalse();
    assertThat(ConditionSet.isTrue(null, "Ready")).isFalse();
    assertThat(ConditionSet.find(null, "Ready")).isEmpty();
    assertThat(ConditionSet.find(conditions, "Degraded")).map(Condition::getReason).contains("B");
  }
}
