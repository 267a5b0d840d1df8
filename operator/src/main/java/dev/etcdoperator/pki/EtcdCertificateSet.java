package dev.etcdoperator.pki;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The certificates one etcd cluster needs (GUIDE section 6), as requests for its {@link CertificateAuthority}. Pure:
 * computes names and usages only.
 *
 * <ul>
 *   <li>server: serverAuth and clientAuth (etcd's gRPC gateway dials its own client port with it), SANs for every
 *       member through the peer Service (wildcard, with and without the cluster domain), the client Service in all
 *       its spellings, and {@code localhost}/{@code 127.0.0.1} for in-pod tools and port-forwarding;</li>
 *   <li>peer: serverAuth and clientAuth (members dial each other with it), the peer wildcards and loopback;</li>
 *   <li>the operator's client certificate and one per application: clientAuth only, CN = the name (etcd's user
 *       name once auth is enabled).</li>
 * </ul>
 *
 * @param clusterDomain e.g. {@code cluster.local}
 */
public record EtcdCertificateSet(String cluster, String namespace, String clusterDomain, KeyAlgorithm keyAlgorithm,
    Duration caValidity, Duration leafValidity) {

  public static final String DEFAULT_CLUSTER_DOMAIN = "cluster.local";
  /** CN of the operator's own client certificate. */
  public static final String OPERATOR_CLIENT_NAME = "etcd-operator";
  static final String LOCALHOST = "localhost";
  static final String LOOPBACK_IP = "127.0.0.1";

  public EtcdCertificateSet {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(clusterDomain, "clusterDomain");
    Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
    Objects.requireNonNull(caValidity, "caValidity");
    Objects.requireNonNull(leafValidity, "leafValidity");
  }

  /** Default algorithm and validities (ECDSA P-256, CA 5 years, leaves 1 year) in {@code cluster.local}. */
  public static EtcdCertificateSet withDefaults(String cluster, String namespace) {
    return new EtcdCertificateSet(cluster, namespace, DEFAULT_CLUSTER_DOMAIN, KeyAlgorithm.DEFAULT,
        RenewalPolicy.DEFAULT_CA_VALIDITY, RenewalPolicy.DEFAULT_LEAF_VALIDITY);
  }

  /** {@code <cluster>-ca}. */
  public String caCommonName() {
    return cluster + "-ca";
  }

  public LeafRequest server() {
    List<String> dns = new ArrayList<>(peerWildcards());
    dns.addAll(clientServiceNames());
    dns.add(LOCALHOST);
    return new LeafRequest(cluster, dns, List.of(LOOPBACK_IP),
        Set.of(ExtendedUsage.SERVER_AUTH, ExtendedUsage.CLIENT_AUTH), keyAlgorithm, leafValidity);
  }

  public LeafRequest peer() {
    List<String> dns = new ArrayList<>(peerWildcards());
    dns.add(LOCALHOST);
    return new LeafRequest(cluster + "-peer", dns, List.of(LOOPBACK_IP),
        Set.of(ExtendedUsage.SERVER_AUTH, ExtendedUsage.CLIENT_AUTH), keyAlgorithm, leafValidity);
  }

  public LeafRequest operatorClient() {
    return client(OPERATOR_CLIENT_NAME);
  }

  /** The client certificate of one entry of {@code spec.tls.clientCertificates[]}. */
  public LeafRequest client(String name) {
    return new LeafRequest(name, List.of(), List.of(), Set.of(ExtendedUsage.CLIENT_AUTH), keyAlgorithm,
        leafValidity);
  }

  /**
   * {@code *.<cluster>-peer.<ns>.svc} and the same with the cluster domain. The second matters beyond name
   * checks: etcd 3.4 verifies a dialing peer by reverse-resolving its IP, and the PTR record of a pod is the
   * fully qualified name.
   */
  public List<String> peerWildcards() {
    String peerService = "*." + cluster + "-peer." + namespace + ".svc";
    return List.of(peerService, peerService + "." + clusterDomain);
  }

  /** The client Service as {@code <cluster>}, {@code .<ns>}, {@code .<ns>.svc} and fully qualified. */
  public List<String> clientServiceNames() {
    return List.of(cluster, cluster + "." + namespace, cluster + "." + namespace + ".svc",
        cluster + "." + namespace + ".svc." + clusterDomain);
  }
}
