package dev.etcdoperator.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UpgradePathTest {
  private static EtcdVersion v(String text) {
    return EtcdVersion.parse(text).orElseThrow();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "3.5.21, 3.5.21", "3.5.21, 3.5.26", "3.5.26, 3.5.21", "3.4.23, 3.5.0", "3.4.0, 3.5.21", "3.5.32, 3.6.5",
      "3.5.40, 3.6.0", "3.6.11, 3.7.0", "3.6.16, 3.7.2", "3.7.0, 3.7.3",
      "3.6.16, 3.5.30", "3.6.0, 3.5.3", "3.7.2, 3.6.16"})
  void supportedChanges(String running, String target) {
    assertThat(UpgradePath.problem(v(running), v(target))).isEmpty();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "3.5.21 | 3.4.23 | would downgrade the cluster from 3.5.21: etcd can go back a minor version only from 3.6 on "
          + "(its downgrade API), so 3.5 cannot return to 3.4",
      "3.7.1 | 3.5.30 | by more than one minor version: etcd goes back one minor version at a time; move to 3.6 first",
      "4.0.0 | 3.7.0 | is another major version than the cluster runs (4.0.0)",
      "3.4.23 | 3.6.5 | skips a minor version: the cluster runs 3.4.23, and etcd upgrades one minor version at a time; "
          + "move to 3.5 first",
      "3.5.21 | 3.6.5 | requires every member on 3.5.32 or later before moving to 3.6; the cluster runs 3.5.21",
      "3.5.31 | 3.6.16 | requires every member on 3.5.32 or later before moving to 3.6; the cluster runs 3.5.31",
      "3.6.10 | 3.7.0 | requires every member on 3.6.11 or later before moving to 3.7; the cluster runs 3.6.10",
      "3.5.32 | 3.7.0 | skips a minor version: the cluster runs 3.5.32",
      "3.6.16 | 3.4.23 | by more than one minor version"})
  void refusedChanges(String running, String target, String why) {
    Optional<String> problem = UpgradePath.problem(v(running), v(target));
    assertThat(problem).hasValueSatisfying(p -> assertThat(p).startsWith("spec.version " + target).contains(why));
  }
}
