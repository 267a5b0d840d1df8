package dev.etcdoperator.resources;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import java.util.Objects;

/**
 * Names of everything the operator owns for one EtcdCluster, and the addresses members reach each other at. Kept in
 * one place because names are part of the contract (GUIDE section 3): a rename would orphan live objects.
 */
public record ClusterNames(String cluster, String namespace) {
  public static final int CLIENT_PORT = 2379;
  public static final int PEER_PORT = 2380;
  public static final int METRICS_PORT = 2381;

  public ClusterNames {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(namespace, "namespace");
  }

  public static ClusterNames of(EtcdCluster cluster) {
    return new ClusterNames(cluster.getMetadata().getName(), cluster.getMetadata().getNamespace());
  }

  public String statefulSet() {
    return cluster;
  }

  /** The headless Service that gives each member a stable DNS name. */
  public String peerService() {
    return cluster + "-peer";
  }

  public String clientService() {
    return cluster;
  }

  public String configMap() {
    return cluster + "-config";
  }

  /** The Lease that fences the cluster to one operator installation. */
  public String operatorLease() {
    return cluster + "-operator";
  }

  public String podDisruptionBudget() {
    return cluster;
  }

  /** The cluster CA (certificate and key); never mounted in a pod. */
  public String caSecret() {
    return cluster + "-ca";
  }

  public String serverTlsSecret() {
    return cluster + "-server-tls";
  }

  public String peerTlsSecret() {
    return cluster + "-peer-tls";
  }

  public String operatorClientTlsSecret() {
    return cluster + "-operator-client-tls";
  }

  /** An application's client certificate (spec.tls.clientCertificates). */
  public String clientTlsSecret(String application) {
    return cluster + "-client-" + application;
  }

  public String podName(int ordinal) {
    return cluster + "-" + ordinal;
  }

  /** DNS name of a member through the peer Service; it resolves before the pod is ready (publishNotReadyAddresses). */
  public String memberPeerHost(int ordinal) {
    return podName(ordinal) + "." + peerService() + "." + namespace + ".svc";
  }

  public String peerUrl(int ordinal, String scheme) {
    return scheme + "://" + memberPeerHost(ordinal) + ":" + PEER_PORT;
  }

  public String clientUrl(int ordinal, String scheme) {
    return scheme + "://" + memberPeerHost(ordinal) + ":" + CLIENT_PORT;
  }
}
