package dev.etcdoperator.access;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.TlsSpec;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * Where the operator reaches each member's client port. Inside the cluster that is the pod's DNS name; from a
 * laptop it is a local port forwarded through the API server, because pod addresses are not routable there.
 */
public interface MemberEndpoints extends AutoCloseable {

  /** Client URLs by pod name, for the given running member pods. */
  Map<String, URI> clientUrls(EtcdCluster cluster, List<Pod> runningPods);

  /** "https" unless the user disabled TLS: how the operator addresses this cluster's members. */
  static String scheme(EtcdCluster cluster) {
    TlsSpec tls = cluster.getSpec().getTls();
    return tls != null && tls.getMode() == TlsSpec.Mode.Disabled ? "http" : "https";
  }

  /** Releases whatever was held for a cluster that is gone. */
  default void forget(String namespace, String clusterName) {}

  @Override
  default void close() {}
}
