package dev.etcdoperator.etcd;

import java.net.URI;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One channel per member endpoint, kept between observations: a probe every few seconds would otherwise open a
 * gRPC channel and a TLS handshake per member each time. A channel whose member did not answer is dropped, so that
 * the next probe connects afresh instead of waiting out gRPC's reconnect backoff on a member that is back.
 */
final class ProbeChannels implements AutoCloseable {
  private final JetcdFactory factory;
  private final Map<URI, MemberChannel> clients = new ConcurrentHashMap<>();
  private final AtomicInteger opened = new AtomicInteger();

  ProbeChannels(JetcdFactory factory) {
    this.factory = factory;
  }

  MemberChannel to(URI endpoint) {
    return clients.computeIfAbsent(endpoint, e -> {
      opened.incrementAndGet();
      return factory.memberChannel(e);
    });
  }

  /** Forgets the endpoint's channel, after a probe it failed. */
  void drop(URI endpoint) {
    MemberChannel channel = clients.remove(endpoint);
    if (channel != null) {
      channel.close();
    }
  }

  /** Closes the channels of endpoints no longer asked about (removed members, pods with other addresses). */
  void keepOnly(Collection<URI> endpoints) {
    List.copyOf(clients.keySet()).stream().filter(e -> !endpoints.contains(e)).forEach(this::drop);
  }

  /** How many channels were opened so far; for tests. */
  int opened() {
    return opened.get();
  }

  @Override
  public void close() {
    List.copyOf(clients.keySet()).forEach(this::drop);
  }
}
