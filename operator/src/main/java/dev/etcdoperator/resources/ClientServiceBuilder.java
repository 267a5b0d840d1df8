package dev.etcdoperator.resources;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;

/** The ClusterIP Service applications use; only ready members receive traffic. */
public final class ClientServiceBuilder {
  private ClientServiceBuilder() {}

  public static Service build(ClusterBlueprint blueprint) {
    return new ServiceBuilder()
        .withMetadata(OwnedMetadata.of(blueprint, blueprint.names().clientService()))
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(blueprint.labels().selector())
        .withPorts(PeerServiceBuilder.port("client", ClusterNames.CLIENT_PORT),
            PeerServiceBuilder.port("metrics", ClusterNames.METRICS_PORT))
        .endSpec()
        .build();
  }
}
