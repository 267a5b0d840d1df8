package dev.etcdoperator.etcd;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach one etcd cluster.
 *
 * @param endpoints      client URLs ({@code http://host:port}, or {@code https://} when {@code tls} is present);
 *                       requests that are not aimed at one member are balanced across them
 * @param requestTimeout upper bound for every call of {@link EtcdClient}; etcd that does not answer within it is
 *                       reported as unavailable
 * @param tls            client certificate and CA, absent for plain-text clusters
 */
public record EtcdConnection(List<URI> endpoints, Duration requestTimeout, Optional<EtcdTls> tls) {

  public EtcdConnection {
    Objects.requireNonNull(endpoints, "endpoints");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(tls, "tls");
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("at least one etcd endpoint is required");
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout must be positive, got " + requestTimeout);
    }
    endpoints = List.copyOf(endpoints);
    // Fail here rather than with an obscure handshake error on the first request.
    String scheme = tls.isPresent() ? "https" : "http";
    for (URI endpoint : endpoints) {
      Endpoints.validate(endpoint, scheme);
    }
  }

  /** A plain-text (no TLS) connection. */
  public static EtcdConnection plain(List<URI> endpoints, Duration requestTimeout) {
    return new EtcdConnection(endpoints, requestTimeout, Optional.empty());
  }

  /** A connection with client-certificate TLS. */
  public static EtcdConnection withTls(List<URI> endpoints, Duration requestTimeout, EtcdTls tls) {
    return new EtcdConnection(endpoints, requestTimeout, Optional.of(tls));
  }
}
