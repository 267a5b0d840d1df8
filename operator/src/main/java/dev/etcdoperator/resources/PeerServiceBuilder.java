package dev.etcdoperator.resources;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;

/** The headless Service behind the members' stable DNS names (the StatefulSet's serviceName). */
public final class PeerServiceBuilder {
  private PeerServiceBuilder() {}

  public static Service build(ClusterBlueprint blueprint) {
    return new ServiceBuilder()
        .withMetadata(OwnedMetadata.of(blueprint, blueprint.names().peerService()))
        .withNewSpec()
        .withClusterIP("None")
        // Members must resolve each other before they are ready: readiness needs a quorum, which needs peers.
        .withPublishNotReadyAddresses(true)
        .withSelector(blueprint.labels().selector())
        .withPorts(port("peer", ClusterNames.PEER_PORT), port("client", ClusterNames.CLIENT_PORT))
        .endSpec()
        .build();
  }

  static ServicePort port(String name, int number) {
    return new ServicePortBuilder()
        .withName(name)
        .withProtocol("TCP")
        .withPort(number)
        .withTargetPort(new IntOrString(number))
        .build();
  }
}
