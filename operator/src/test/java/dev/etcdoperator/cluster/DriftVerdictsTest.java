package dev.etcdoperator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.resources.MemberStatefulSetBuilder;
import dev.etcdoperator.testing.TestClusters;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class DriftVerdictsTest {
  /** Counts the JSON conversions, which are what the verdicts save. */
  private final AtomicInteger conversions = new AtomicInteger();
  private final KubernetesSerialization serialization = new KubernetesSerialization() {
    @Override
    public <T> T convertValue(Object value, Class<T> type) {
      conversions.incrementAndGet();
      return super.convertValue(value, type);
    }
  };
  private final DriftVerdicts verdicts = new DriftVerdicts(new ObjectDrift(serialization));
  private final EtcdCluster cluster = TestClusters.cluster(s -> {});

  private static StatefulSet desired(int members) {
    return MemberStatefulSetBuilder.build(TestClusters.blueprint(), members);
  }

  /** The object as the API server returns it: a copy at a resource version, with {@code edit} applied as JSON. */
  private StatefulSet live(StatefulSet desired, String resourceVersion, Consumer<ObjectNode> edit) {
    ObjectNode json = new KubernetesSerialization().convertValue(desired, ObjectNode.class);
    ObjectNode metadata = (ObjectNode) json.get("metadata");
    metadata.put("uid", "sts-uid").put("resourceVersion", resourceVersion);
    edit.accept(json);
    return new KubernetesSerialization().convertValue(json, StatefulSet.class);
  }

  @Test
  void anObjectInShapeIsComparedOnceWhileNeitherSideChanges() {
    StatefulSet live = live(desired(3), "10", json -> {});

    assertThat(verdicts.needsApply(cluster, desired(3), live)).isFalse();
    int afterFirst = conversions.get();
    assertThat(verdicts.needsApply(cluster, desired(3), live)).isFalse();
    assertThat(verdicts.needsApply(cluster, desired(3), live(desired(3), "10", json -> {}))).isFalse();

    assertThat(afterFirst).isPositive();
    assertThat(conversions.get()).isEqualTo(afterFirst);
  }

  @Test
  void aHandEditOfTheLiveObjectIsSeenAfterAnInShapeVerdict() {
    assertThat(verdicts.needsApply(cluster, desired(3), live(desired(3), "10", json -> {}))).isFalse();

    StatefulSet edited = live(desired(3), "11", json -> ((ObjectNode) json.get("spec")).put("replicas", 5));

    assertThat(verdicts.needsApply(cluster, desired(3), edited)).isTrue();
  }

  @Test
  void aChangedDesiredObjectIsSeenAgainstTheSameLiveVersion() {
    StatefulSet live = live(desired(3), "10", json -> {});
    assertThat(verdicts.needsApply(cluster, desired(3), live)).isFalse();

    assertThat(verdicts.needsApply(cluster, desired(5), live)).isTrue();
    assertThat(verdicts.needsApply(cluster, desired(3), live)).isFalse();
  }

  @Test
  void aDriftedObjectIsComparedAgainEveryTime() {
    StatefulSet drifted = live(desired(3), "10", json -> ((ObjectNode) json.get("spec")).put("replicas", 5));

    assertThat(verdicts.needsApply(cluster, desired(3), drifted)).isTrue();
    int afterFirst = conversions.get();
    assertThat(verdicts.needsApply(cluster, desired(3), drifted)).isTrue();

    assertThat(conversions.get()).isGreaterThan(afterFirst);
  }

  @Test
  void aMissingObjectNeedsApplyingWithoutAComparison() {
    assertThat(verdicts.needsApply(cluster, desired(3), null)).isTrue();
    assertThat(conversions.get()).isZero();
  }

  @Test
  void aForgottenOrRecreatedClusterComparesAfresh() {
    StatefulSet live = live(desired(3), "10", json -> {});
    verdicts.needsApply(cluster, desired(3), live);
    int kept = conversions.get();

    EtcdCluster recreated = TestClusters.cluster(s -> {});
    recreated.getMetadata().setUid("another-uid");
    verdicts.needsApply(recreated, desired(3), live);
    int afterRecreated = conversions.get();
    verdicts.forget(cluster);
    verdicts.needsApply(cluster, desired(3), live);

    assertThat(afterRecreated).isGreaterThan(kept);
    assertThat(conversions.get()).isGreaterThan(afterRecreated);
  }
}
