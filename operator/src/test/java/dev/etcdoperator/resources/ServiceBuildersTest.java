package dev.etcdoperator.resources;

import static dev.etcdoperator.testing.TestClusters.assertOwnedObject;
import static dev.etcdoperator.testing.TestClusters.blueprint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import org.junit.jupiter.api.Test;

class ServiceBuildersTest {
  private final ClusterBlueprint blueprint = blueprint();

  @Test
  void peerServiceIsHeadlessAndPublishesNotReadyMembers() {
    Service service = PeerServiceBuilder.build(blueprint);

    assertOwnedObject(service, "main-peer");
    assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(service.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(service.getSpec().getSelector()).isEqualTo(blueprint.labels().selector());
    assertThat(service.getSpec().getPorts())
        .extracting(ServicePort::getName, ServicePort::getPort, p -> p.getTargetPort().getIntVal())
        .containsExactly(tuple("peer", 2380, 2380), tuple("client", 2379, 2379));
  }

  @Test
  void clientServiceIsAClusterIpForClientsAndMetrics() {
    Service service = ClientServiceBuilder.build(blueprint);

    assertOwnedObject(service, "main");
    assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(service.getSpec().getClusterIP()).isNull();
    assertThat(service.getSpec().getPublishNotReadyAddresses()).isNull();
    assertThat(service.getSpec().getSelector()).isEqualTo(blueprint.labels().selector());
    assertThat(service.getSpec().getPorts())
        .extracting(ServicePort::getName, ServicePort::getPort, ServicePort::getProtocol)
        .containsExactly(tuple("client", 2379, "TCP"), tuple("metrics", 2381, "TCP"));
  }

  @Test
  void servicesSelectExactlyTheMemberPodLabels() {
    var podLabels = MemberStatefulSetBuilder.build(blueprint, 3).getSpec().getTemplate().getMetadata().getLabels();

    assertThat(podLabels).containsAllEntriesOf(PeerServiceBuilder.build(blueprint).getSpec().getSelector());
    assertThat(podLabels).containsAllEntriesOf(ClientServiceBuilder.build(blueprint).getSpec().getSelector());
  }
}
