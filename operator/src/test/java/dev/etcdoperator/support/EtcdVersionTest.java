package dev.etcdoperator.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EtcdVersionTest {

  private static EtcdVersion v(String text) {
    return EtcdVersion.parse(text).orElseThrow();
  }

  @ParameterizedTest
  @CsvSource({"3.5.21,3,5,21", "v3.6.5,3,6,5", "' 3.4.0 ',3,4,0", "10.20.30,10,20,30", "3.05.1,3,5,1"})
  void parsesReleaseVersions(String text, int major, int minor, int patch) {
    assertThat(EtcdVersion.parse(text)).contains(new EtcdVersion(major, minor, patch));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "3.5", "3", "3.5.21-rc.0", "3.5.21+build", "V3.5.21", "vv3.5.21", "3.5.x", "latest",
      "3..5", "-3.5.1", "3.5.1.0"})
  void rejectsAnythingElse(String text) {
    assertThat(EtcdVersion.parse(text)).isEmpty();
  }

  @Test
  void nullIsNoVersion() {
    assertThat(EtcdVersion.parse(null)).isEmpty();
  }

  /** Digits that do not fit an int are not a version: parse must say so, not throw. */
  @Test
  void componentTooLargeIsNoVersion() {
    assertThatCode(() -> EtcdVersion.parse("3.5.99999999999")).doesNotThrowAnyException();
    assertThat(EtcdVersion.parse("3.5.99999999999")).isEmpty();
  }

  @Test
  void printsWithoutThePrefix() {
    assertThat(v("v3.6.5")).hasToString("3.6.5");
  }

  @Test
  void ordersNumericallyNotAsText() {
    List<EtcdVersion> versions = new ArrayList<>(List.of(v("3.10.0"), v("3.5.10"), v("3.5.9"), v("4.0.0"),
        v("3.4.23"), v("3.5.21")));
    Collections.shuffle(versions, new java.util.Random(42));
    Collections.sort(versions);

    assertThat(versions).extracting(EtcdVersion::toString)
        .containsExactly("3.4.23", "3.5.9", "3.5.10", "3.5.21", "3.10.0", "4.0.0");
    assertThat(v("3.5.9")).isLessThan(v("3.5.10"));
    assertThat(v("3.5.0").compareTo(v("v3.5.0"))).isZero();
  }

  @ParameterizedTest
  @CsvSource({
      "3.4.0,true", "3.4.23,true", "3.5.0,true", "3.5.21,true", "3.6.0,true", "3.6.99,true", "3.7.0,true",
      "3.7.4,true", "3.3.27,false", "3.3.0,false", "2.3.8,false", "3.8.0,false", "3.10.0,false", "4.0.0,false", "4.6.0,false",
      "0.0.0,false"})
  void supportsThreeFourToThreeSeven(String version, boolean supported) {
    assertThat(v(version).isSupported()).isEqualTo(supported);
  }

  @Test
  void minorAndAtLeast() {
    assertThat(v("3.5.21").isMinor(3, 5)).isTrue();
    assertThat(v("3.5.21").isMinor(3, 6)).isFalse();
    assertThat(v("3.5.21").atLeast(3, 5, 21)).isTrue();
    assertThat(v("3.5.21").atLeast(3, 5, 22)).isFalse();
    assertThat(v("3.6.0").atLeast(3, 5, 99)).isTrue();
  }
}
