package dev.etcdoperator.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyAlgorithmTest {

  static Stream<KeyAlgorithm> algorithms() {
    return Stream.of(KeyAlgorithm.values());
  }

  @ParameterizedTest
  @CsvSource({"ECDSA-P256, ECDSA_P256", "RSA-2048, RSA_2048", "RSA-3072, RSA_3072", "RSA-4096, RSA_4096",
      "ecdsa-p256, ECDSA_P256", "' RSA-4096 ', RSA_4096"})
  void parsesTheApiSpelling(String spelling, KeyAlgorithm expected) {
    assertThat(KeyAlgorithm.parse(spelling)).isEqualTo(expected);
  }

  @Test
  void apiNamesRoundTrip() {
    for (KeyAlgorithm algorithm : KeyAlgorithm.values()) {
      assertThat(KeyAlgorithm.parse(algorithm.apiName())).isEqualTo(algorithm);
    }
    assertThat(KeyAlgorithm.DEFAULT).isEqualTo(KeyAlgorithm.ECDSA_P256);
  }

  @Test
  void unknownNamesAreRejectedWithTheAcceptedOnes() {
    assertThatThrownBy(() -> KeyAlgorithm.parse("RSA-1024"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown key algorithm 'RSA-1024': expected one of ECDSA-P256, RSA-2048, RSA-3072, RSA-4096");
    assertThatThrownBy(() -> KeyAlgorithm.parse("ECDSA_P256")).hasMessageContaining("'ECDSA_P256'");
    assertThatThrownBy(() -> KeyAlgorithm.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void recognisesOnlyItsOwnKeyTypes() throws Exception {
    for (KeyAlgorithm algorithm : KeyAlgorithm.values()) {
      assertThat(KeyAlgorithm.of(algorithm.generate(new SecureRandom()).getPublic())).contains(algorithm);
    }
    KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
    p384.initialize(new ECGenParameterSpec("secp384r1"));
    assertThat(KeyAlgorithm.of(p384.generateKeyPair().getPublic())).isEmpty();
    KeyPairGenerator rsa1024 = KeyPairGenerator.getInstance("RSA");
    rsa1024.initialize(1024);
    assertThat(KeyAlgorithm.of(rsa1024.generateKeyPair().getPublic())).isEmpty();
  }
}
