package dev.etcdoperator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterSpec;
import dev.etcdoperator.api.v1alpha1.StorageSpec;
import dev.etcdoperator.resources.ClusterBlueprint;
import dev.etcdoperator.resources.MemberStatefulSetBuilder;
import dev.etcdoperator.resources.MemberTls;
import dev.etcdoperator.testing.TestClusters;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class StatefulSetBuildsTest {
  private final StatefulSetBuilds builds = new StatefulSetBuilds();

  /** A blueprint as each reconcile resolves it anew: from the cluster, with the members' TLS. */
  private static ClusterBlueprint blueprint(Consumer<EtcdClusterSpec> spec) {
    return TestClusters.blueprint("3.5.21", spec).withTls(
        new MemberTls.Mutual("main-server-tls", "main-peer-tls", Optional.of("main-peer"), "generation-1"));
  }

  @Test
  void whatItReturnsIsWhatTheBuilderBuilds() {
    ClusterBlueprint blueprint = blueprint(s -> {});

    assertThat(builds.of(blueprint, 3)).isEqualTo(MemberStatefulSetBuilder.build(blueprint, 3));
    assertThat(builds.of(blueprint(s -> {}), 3)).isEqualTo(MemberStatefulSetBuilder.build(blueprint, 3));
  }

  @Test
  void theSameInputsAreNotBuiltAgain() {
    StatefulSet first = builds.of(blueprint(s -> {}), 3);
    StatefulSet second = builds.of(blueprint(s -> {}), 3);

    assertThat(second.getSpec().getTemplate()).isSameAs(first.getSpec().getTemplate());
  }

  @Test
  void anotherMemberCountOrSpecIsBuiltAfresh() {
    StatefulSet three = builds.of(blueprint(s -> {}), 3);
    StatefulSet five = builds.of(blueprint(s -> {}), 5);
    StatefulSet withStorage = builds.of(blueprint(s -> {
      StorageSpec storage = new StorageSpec();
      storage.setSize("20Gi");
      s.setStorage(storage);
    }), 5);

    assertThat(three.getSpec().getReplicas()).isEqualTo(3);
    assertThat(five.getSpec().getReplicas()).isEqualTo(5);
    assertThat(withStorage).isEqualTo(MemberStatefulSetBuilder.build(blueprint(s -> {
      StorageSpec storage = new StorageSpec();
      storage.setSize("20Gi");
      s.setStorage(storage);
    }), 5));
    assertThat(withStorage).isNotEqualTo(five);
  }

  @Test
  void aSpecFieldSetOnOneResultIsNotInTheNext() {
    StatefulSet first = builds.of(blueprint(s -> {}), 3);
    first.getSpec().setSelector(new LabelSelector(null, java.util.Map.of("from", "live")));
    first.getSpec().setServiceName("live-service");

    StatefulSet second = builds.of(blueprint(s -> {}), 3);

    assertThat(second).isEqualTo(MemberStatefulSetBuilder.build(blueprint(s -> {}), 3));
  }

  @Test
  void aForgottenClusterIsBuiltAfresh() {
    StatefulSet first = builds.of(blueprint(s -> {}), 3);
    EtcdCluster cluster = TestClusters.cluster(s -> {});
    builds.forget(cluster);

    assertThat(builds.of(blueprint(s -> {}), 3).getSpec().getTemplate()).isNotSameAs(first.getSpec().getTemplate());
  }
}
