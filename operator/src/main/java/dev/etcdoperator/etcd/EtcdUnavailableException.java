package dev.etcdoperator.etcd;

import java.net.URI;
import java.util.List;

/**
 * etcd did not answer within the request timeout: endpoints down, unreachable, paused, or without quorum/leader.
 * Usually transient; the reconciler reports it and tries again later.
 */
public class EtcdUnavailableException extends EtcdClientException {

  public EtcdUnavailableException(String message, List<URI> endpoints) {
    super(message, endpoints);
  }
}
