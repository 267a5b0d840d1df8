package dev.etcdoperator.etcd;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds the jetcd clients of one {@link EtcdClient}, all configured the same way and sharing one executor: either
 * one this factory owns (jetcd only shuts down executors it created itself, so ownership has to be explicit) or one
 * the caller shares between many clients and shuts down itself.
 */
final class JetcdFactory implements AutoCloseable {

  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final EtcdConnection connection;
  private final String threadNamePrefix;
  private final ExecutorService executor;
  private final boolean ownsExecutor;
  private final SslContext sslContext;

  /** With {@code shared} empty, the factory starts (and {@link #close()} stops) an executor of its own. */
  JetcdFactory(EtcdConnection connection, Optional<ExecutorService> shared) {
    this.connection = connection;
    this.sslContext = connection.tls().map(JetcdFactory::sslContext).orElse(null);
    this.threadNamePrefix = "etcd-client-" + INSTANCES.incrementAndGet() + "-";
    this.ownsExecutor = shared.isEmpty();
    this.executor = shared.orElseGet(() -> Executors.newCachedThreadPool(daemonThreads(threadNamePrefix)));
  }

  /** A cached pool of daemon threads named {@code <prefix>N}, for sharing between clients. */
  static ExecutorService sharedExecutor(String prefix) {
    return Executors.newCachedThreadPool(daemonThreads(prefix));
  }

  String threadNamePrefix() {
    return threadNamePrefix;
  }

  /**
   * A jetcd client over the given endpoints.
   *
   * @param retry whether jetcd may retry UNAVAILABLE calls on another endpoint (useful for the cluster-wide
   *              client; pointless for a single-endpoint probe, whose job is to report that member's state now)
   */
  Client client(List<URI> endpoints, boolean retry) {
    Duration timeout = connection.requestTimeout();
    ClientBuilder builder = Client.builder()
        .target(Endpoints.target(endpoints))
        .executorService(executor)
        .connectTimeout(timeout)
        // Fail fast on refused connections instead of queueing until the deadline: faster answers and a
        // message that says "Connection refused" rather than only "no answer".
        .waitForReady(false)
        .interceptor(new DeadlineInterceptor(timeout), new CallbackExecutor(executor))
        .retryMaxAttempts(retry ? 2 : 0)
        .retryDelay(100)
        .retryMaxDelay(Math.max(100, timeout.toMillis() / 2))
        .retryMaxDuration(timeout);
    if (sslContext != null) {
      builder.sslContext(sslContext);
    }
    return builder.build();
  }

  /** A kept connection to one member for probes, configured like the jetcd clients (TLS, request timeout). */
  MemberChannel memberChannel(URI endpoint) {
    return new MemberChannel(channelBuilder(endpoint, sslContext).executor(executor).offloadExecutor(executor).build(),
        connection.requestTimeout());
  }

  /** A plain gRPC channel to one member, over TLS when {@code sslContext} is given. */
  static ManagedChannel channel(URI endpoint, SslContext sslContext) {
    return channelBuilder(endpoint, sslContext).build();
  }

  private static NettyChannelBuilder channelBuilder(URI endpoint, SslContext sslContext) {
    // URI keeps an IPv6 literal's brackets, which gRPC adds back itself.
    String host = endpoint.getHost().replaceAll("^\\[(.*)]$", "$1");
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress(host, endpoint.getPort());
    if (sslContext != null) {
      builder.sslContext(sslContext);
    } else {
      builder.usePlaintext();
    }
    return builder;
  }

  /** etcd's downgrade calls, over channels configured like the jetcd clients (TLS, request timeout). */
  DowngradeCalls downgradeCalls() {
    return new DowngradeCalls(sslContext, connection.requestTimeout());
  }

  @Override
  public void close() {
    if (!ownsExecutor) {
      return;
    }
    executor.shutdownNow();
    try {
      executor.awaitTermination(connection.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static SslContext sslContext(EtcdTls tls) {
    try {
      ClientTlsMaterial material = ClientTlsMaterial.read(tls);
      return GrpcSslContexts.forClient()
          .trustManager(material.trusted())
          .keyManager(new ClientKeyManager(material.key(), material.chain()))
          .build();
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot load etcd client TLS material (" + tls.caCertPem() + ", "
          + tls.clientCertPem() + ", " + tls.clientKeyPem() + "; the key must be PKCS#8 PEM): "
          + e.getMessage(), e);
    }
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return runnable -> {
      Thread t = new Thread(runnable, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Gives every unary call a gRPC deadline, so a call to a paused or partitioned member is cancelled on the wire
   * (freeing the stream) rather than only abandoned by our timed wait. Streaming calls (snapshots, watches) are
   * left alone: they legitimately outlive one request timeout.
   */
  private record DeadlineInterceptor(Duration timeout) implements ClientInterceptor {
    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      if (method.getType() == MethodDescriptor.MethodType.UNARY && options.getDeadline() == null) {
        options = options.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
      }
      return next.newCall(method, options);
    }
  }

  /**
   * Runs the calls' callbacks on the clients' executor. jetcd builds its channels without one, so gRPC would run
   * them on its own process-wide pool: a second set of threads beside the clients', each pool as large as the
   * busiest moment of the last minute (100 clusters kept about 50 of each alive).
   */
  private record CallbackExecutor(Executor executor) implements ClientInterceptor {
    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      return next.newCall(method, options.withExecutor(executor));
    }
  }
}
