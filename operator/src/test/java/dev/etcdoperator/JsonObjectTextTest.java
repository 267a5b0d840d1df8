package dev.etcdoperator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonObjectTextTest {
  @ParameterizedTest
  @ValueSource(strings = {
      "{}",
      " {\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\"}}}\n",
      "{\"data\":{\"k\":\"a } or a { in a string, and an escaped quote \\\" with } after it\"}}",
      "{\"items\":[{\"a\":1},[2,{\"b\":\"]\"}]],\"backslash\":\"\\\\\"}"})
  void wholeObjects(String text) {
    assertThat(JsonObjectText.isWhole(text)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "  ",
      "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\"}}",
      "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a}",
      "{\"k\":\"escaped quote at the cut \\\"}",
      "{\"a\":1}{\"b\":2}",
      "[{\"a\":1}]",
      "\"{}\""})
  void cutOrOtherwiseNotOneObject(String text) {
    assertThat(JsonObjectText.isWhole(text)).isFalse();
  }
}
