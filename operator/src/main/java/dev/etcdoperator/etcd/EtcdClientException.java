package dev.etcdoperator.etcd;

import java.net.URI;
import java.util.List;

/**
 * etcd answered, but with an error (for example a request that is too large).
 *
 * <p>Carries no cause on purpose: the message already names the endpoints and the gRPC status, and the jetcd/gRPC
 * exceptions underneath are not part of this package's API (they are logged at DEBUG where they occur).
 */
public class EtcdClientException extends RuntimeException {

  private final List<URI> endpoints;

  public EtcdClientException(String message, List<URI> endpoints) {
    super(message);
    this.endpoints = List.copyOf(endpoints);
  }

  /** The endpoints the failed request was sent to. */
  public List<URI> endpoints() {
    return endpoints;
  }
}
