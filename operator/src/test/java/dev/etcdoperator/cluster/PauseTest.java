package dev.etcdoperator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.testing.TestClusters;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PauseTest {

  @Test
  void specPausedOrThePauseAnnotationPauses() {
    assertThat(EtcdClusterReconciler.isPaused(TestClusters.cluster(s -> {}))).isFalse();
    assertThat(EtcdClusterReconciler.isPaused(TestClusters.cluster(s -> s.setPaused(true)))).isTrue();

    EtcdCluster annotated = TestClusters.cluster(s -> {});
    annotated.getMetadata().setAnnotations(Map.of(EtcdCluster.PAUSE_ANNOTATION, "true"));
    assertThat(EtcdClusterReconciler.isPaused(annotated)).isTrue();

    annotated.getMetadata().setAnnotations(Map.of(EtcdCluster.PAUSE_ANNOTATION, "false"));
    assertThat(EtcdClusterReconciler.isPaused(annotated)).isFalse();
  }
}
