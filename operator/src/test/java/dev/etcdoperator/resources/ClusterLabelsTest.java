package dev.etcdoperator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClusterLabelsTest {
  private final ClusterLabels labels = new ClusterLabels("main");

  @Test
  void selectorHasTheFourContractLabelsInOrder() {
    assertThat(labels.selector()).containsExactly(
        java.util.Map.entry("app.kubernetes.io/name", "etcd"),
        java.util.Map.entry("app.kubernetes.io/instance", "main"),
        java.util.Map.entry("app.kubernetes.io/managed-by", "etcd-operator"),
        java.util.Map.entry("app.kubernetes.io/component", "member"));
  }

  @Test
  void selectorStringIsWhatStatusSelectorCarries() {
    assertThat(labels.selectorString()).isEqualTo("app.kubernetes.io/name=etcd,app.kubernetes.io/instance=main,"
        + "app.kubernetes.io/managed-by=etcd-operator,app.kubernetes.io/component=member");
  }

  @Test
  void ownedObjectsCarryTheClusterIdentityButNoComponent() {
    assertThat(labels.forOwnedObjects()).containsOnlyKeys(
        "app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/managed-by");
    assertThat(labels.selector()).containsAllEntriesOf(labels.forOwnedObjects());
  }

  @Test
  void clustersDoNotSelectEachOther() {
    assertThat(new ClusterLabels("other").selector()).isNotEqualTo(labels.selector());
  }
}
