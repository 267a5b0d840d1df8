package dev.etcdoperator.etcd;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Conversions between etcd client URLs and what gRPC/jetcd expect. Pure functions, unit-tested. */
final class Endpoints {

  /** etcd's IANA client port, used when a URL leaves the port out (as etcdctl does). */
  static final int DEFAULT_CLIENT_PORT = 2379;

  private Endpoints() {
  }

  /** Rejects URLs jetcd would misread or that do not match the connection's TLS setting. */
  static void validate(URI endpoint, String expectedScheme) {
    if (endpoint == null) {
      throw new IllegalArgumentException("etcd endpoint must not be null");
    }
    String scheme = endpoint.getScheme() == null ? null : endpoint.getScheme().toLowerCase(Locale.ROOT);
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new IllegalArgumentException(
          "etcd endpoint must be an http:// or https:// URL, got '" + endpoint + "'");
    }
    if (!scheme.equals(expectedScheme)) {
      throw new IllegalArgumentException("etcd endpoint '" + endpoint + "' uses " + scheme
          + " but the connection "
          + ("https".equals(expectedScheme) ? "has TLS configured" : "has no TLS configured")
          + ": use " + expectedScheme + "://");
    }
    if (endpoint.getHost() == null) {
      throw new IllegalArgumentException("etcd endpoint has no host: '" + endpoint + "'");
    }
    String path = endpoint.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/")) || endpoint.getRawQuery() != null
        || endpoint.getRawUserInfo() != null || endpoint.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "etcd endpoint must be scheme://host:port only, got '" + endpoint + "'");
    }
  }

  /** {@code host:port}, with IPv6 literals bracketed (URI.getHost() keeps the brackets). */
  static String hostPort(URI endpoint) {
    int port = endpoint.getPort() == -1 ? DEFAULT_CLIENT_PORT : endpoint.getPort();
    return endpoint.getHost() + ":" + port;
  }

  /**
   * The gRPC target jetcd's "ip" name resolver understands: {@code ip:///h1:p1,h2:p2}. Using it ourselves (rather
   * than the {@code http://} form) means single-member calls resolve exactly like the cluster-wide client does.
   */
  static String target(List<URI> endpoints) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("at least one etcd endpoint is required");
    }
    return endpoints.stream().map(Endpoints::hostPort).distinct().collect(Collectors.joining(",", "ip:///", ""));
  }

  static String target(URI endpoint) {
    return target(List.of(endpoint));
  }

  /** For messages: a single URL as is, several as a bracketed list. */
  static String describe(List<URI> endpoints) {
    return endpoints.size() == 1 ? endpoints.get(0).toString()
        : endpoints.stream().map(URI::toString).collect(Collectors.joining(", ", "[", "]"));
  }
}
