package dev.etcdoperator.access;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.resources.ClusterNames;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Members by their stable DNS names under the peer Service (in-cluster), over TLS unless the cluster disabled it. */
public record DirectMemberEndpoints(String clusterDomain) implements MemberEndpoints {

  @Override
  public Map<String, URI> clientUrls(EtcdCluster cluster, List<Pod> runningPods) {
    ClusterNames names = new ClusterNames(cluster.getMetadata().getName(), cluster.getMetadata().getNamespace());
    String scheme = MemberEndpoints.scheme(cluster);
    return runningPods.stream().collect(Collectors.toMap(p -> p.getMetadata().getName(),
        p -> URI.create(scheme + "://" + p.getMetadata().getName() + "." + names.peerService() + "."
            + names.namespace() + ".svc." + clusterDomain + ":" + ClusterNames.CLIENT_PORT)));
  }
}
