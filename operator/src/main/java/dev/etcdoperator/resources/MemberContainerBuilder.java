package dev.etcdoperator.resources;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.List;

/** The "etcd" container of a member pod. */
public final class MemberContainerBuilder {
  public static final String CONTAINER_NAME = "etcd";
  public static final String ETCD_BINARY = "/usr/local/bin/etcd";
  public static final String DEFAULT_CPU_REQUEST = "100m";
  public static final String DEFAULT_MEMORY_REQUEST = "256Mi";
  /** The plain-HTTP metrics and health port's name: probes and the PodMonitor refer to it. */
  public static final String METRICS_PORT_NAME = "metrics";

  private MemberContainerBuilder() {}

  public static Container build(ClusterBlueprint blueprint) {
    return new ContainerBuilder()
        .withName(CONTAINER_NAME)
        .withImage(blueprint.image())
        .withImagePullPolicy("IfNotPresent")
        .withCommand(ETCD_BINARY)
        .withArgs(EtcdFlags.render(blueprint))
        .withEnv(MemberEnv.build(blueprint))
        .withPorts(
            port("client", ClusterNames.CLIENT_PORT),
            port("peer", ClusterNames.PEER_PORT),
            port(METRICS_PORT_NAME, ClusterNames.METRICS_PORT))
        .withResources(blueprint.pod().resources().orElseGet(MemberContainerBuilder::defaultResources))
        .withVolumeMounts(volumeMounts(blueprint))
        .withStartupProbe(EtcdProbes.startup(blueprint.version()))
        .withReadinessProbe(EtcdProbes.readiness(blueprint.version()))
        .withLivenessProbe(EtcdProbes.liveness(blueprint.version()))
        .withSecurityContext(securityContext())
        // etcd logs why it refused to start (bad flag, corrupt data) just before exiting; show it in pod status.
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .build();
  }

  /** The data volume, and the certificate Secrets read-only when members use TLS. */
  static List<VolumeMount> volumeMounts(ClusterBlueprint blueprint) {
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(new VolumeMountBuilder()
        .withName(MemberStatefulSetBuilder.DATA_VOLUME)
        .withMountPath(EtcdFlags.DATA_MOUNT_PATH)
        .build());
    if (blueprint.tls() instanceof MemberTls.Mutual) {
      mounts.add(new VolumeMountBuilder().withName(MemberTls.SERVER_VOLUME).withMountPath(MemberTls.SERVER_DIR)
          .withReadOnly(true).build());
      mounts.add(new VolumeMountBuilder().withName(MemberTls.PEER_VOLUME).withMountPath(MemberTls.PEER_DIR)
          .withReadOnly(true).build());
    }
    return List.copyOf(mounts);
  }

  /** Requests only: a memory limit would get etcd OOM-killed under load, a CPU limit throttles raft heartbeats. */
  static ResourceRequirements defaultResources() {
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity(DEFAULT_CPU_REQUEST))
        .addToRequests("memory", new Quantity(DEFAULT_MEMORY_REQUEST))
        .build();
  }

  static SecurityContext securityContext() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withRunAsNonRoot(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .build();
  }

  private static ContainerPort port(String name, int number) {
    return new ContainerPortBuilder().withName(name).withContainerPort(number).withProtocol("TCP").build();
  }
}
