package dev.etcdoperator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The image build's rehearsal of a probe gets as far as a real one does: through the TLS handshake, to the call. */
class ClassDataTrainingTest {
  @Test
  void theRehearsedProbeCompletesTheHandshakeAndReachesTheServer() throws Exception {
    String outcome = ClassDataTraining.rehearseProbe();

    // A failed handshake ends UNAVAILABLE; only a call that reached the server learns that it has no such method.
    assertThat(outcome).contains("UNIMPLEMENTED");
  }

  @Test
  void onlyTheBuildsArgumentAsksForIt() {
    assertThat(ClassDataTraining.isTraining(new String[] {"--train-class-data"})).isTrue();
    assertThat(ClassDataTraining.isTraining(new String[] {})).isFalse();
    assertThat(ClassDataTraining.isTraining(new String[] {"restore", "--train-class-data"})).isFalse();
  }
}
