package dev.etcdoperator.e2e;

/** One stand-in for a part of Kubernetes (a controller, the kubelet): a loop started once and closed once. */
interface StandIn extends AutoCloseable {
  void start();

  @Override
  void close();
}
