package dev.etcdoperator;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.http.TlsVersion;
import io.fabric8.kubernetes.client.http.WebSocket;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;

/**
 * Fabric8's JDK HTTP client, whose watches resume after a broken WebSocket stream ({@link ResumingWatchListener})
 * instead of ending. Everything else is the JDK client's own: each wrapper below only hands calls on.
 */
public final class ResumingWatchHttpClientFactory implements HttpClient.Factory {
  private final JdkHttpClientFactory jdk = new JdkHttpClientFactory();

  @Override
  public HttpClient.Builder newBuilder() {
    return new Builder(jdk.newBuilder());
  }

  @Override
  public HttpClient.Builder newBuilder(Config config) {
    return new Builder(jdk.newBuilder(config));
  }

  private record Client(HttpClient jdk) implements HttpClient {
    @Override
    public WebSocket.Builder newWebSocketBuilder() {
      return new WebSocketBuilder(jdk.newWebSocketBuilder());
    }

    @Override
    public DerivedClientBuilder newBuilder() {
      return new DerivedBuilder(jdk.newBuilder());
    }

    @Override
    public void close() {
      jdk.close();
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, Class<T> type) {
      return jdk.sendAsync(request, type);
    }

    @Override
    public CompletableFuture<HttpResponse<AsyncBody>> consumeBytes(HttpRequest request,
        AsyncBody.Consumer<List<ByteBuffer>> consumer) {
      return jdk.consumeBytes(request, consumer);
    }

    @Override
    public HttpRequest.Builder newHttpRequestBuilder() {
      return jdk.newHttpRequestBuilder();
    }

    @Override
    public boolean isClosed() {
      return jdk.isClosed();
    }
  }

  private record WebSocketBuilder(WebSocket.Builder jdk) implements WebSocket.Builder {
    @Override
    public CompletableFuture<WebSocket> buildAsync(WebSocket.Listener listener) {
      return jdk.buildAsync(new ResumingWatchListener(listener));
    }

    @Override
    public WebSocket.Builder subprotocol(String protocol) {
      return new WebSocketBuilder(jdk.subprotocol(protocol));
    }

    @Override
    public WebSocket.Builder header(String name, String value) {
      return new WebSocketBuilder(jdk.header(name, value));
    }

    @Override
    public WebSocket.Builder setHeader(String name, String value) {
      return new WebSocketBuilder(jdk.setHeader(name, value));
    }

    @Override
    public WebSocket.Builder uri(URI uri) {
      return new WebSocketBuilder(jdk.uri(uri));
    }

    @Override
    public WebSocket.Builder connectTimeout(long timeout, TimeUnit unit) {
      return new WebSocketBuilder(jdk.connectTimeout(timeout, unit));
    }
  }

  private record DerivedBuilder(HttpClient.DerivedClientBuilder jdk) implements HttpClient.DerivedClientBuilder {
    @Override
    public HttpClient build() {
      return new Client(jdk.build());
    }

    @Override
    public HttpClient.DerivedClientBuilder addOrReplaceInterceptor(String name, Interceptor interceptor) {
      return new DerivedBuilder(jdk.addOrReplaceInterceptor(name, interceptor));
    }

    @Override
    public HttpClient.DerivedClientBuilder authenticatorNone() {
      return new DerivedBuilder(jdk.authenticatorNone());
    }

    @Override
    public HttpClient.DerivedClientBuilder tag(Object tag) {
      return new DerivedBuilder(jdk.tag(tag));
    }
  }

  private record Builder(HttpClient.Builder jdk) implements HttpClient.Builder {
    @Override
    public HttpClient build() {
      return new Client(jdk.build());
    }

    @Override
    public HttpClient.DerivedClientBuilder tag(Object tag) {
      return new Builder((HttpClient.Builder) jdk.tag(tag));
    }

    @Override
    public HttpClient.Builder connectTimeout(long timeout, TimeUnit unit) {
      return new Builder(jdk.connectTimeout(timeout, unit));
    }

    @Override
    public HttpClient.Builder addOrReplaceInterceptor(String name, Interceptor interceptor) {
      return new Builder(jdk.addOrReplaceInterceptor(name, interceptor));
    }

    @Override
    public HttpClient.Builder authenticatorNone() {
      return new Builder(jdk.authenticatorNone());
    }

    @Override
    public HttpClient.Builder sslContext(KeyManager[] keyManagers, TrustManager[] trustManagers) {
      return new Builder(jdk.sslContext(keyManagers, trustManagers));
    }

    @Override
    public HttpClient.Builder followAllRedirects() {
      return new Builder(jdk.followAllRedirects());
    }

    @Override
    public HttpClient.Builder proxyAddress(InetSocketAddress address) {
      return new Builder(jdk.proxyAddress(address));
    }

    @Override
    public HttpClient.Builder proxyAuthorization(String credentials) {
      return new Builder(jdk.proxyAuthorization(credentials));
    }

    @Override
    public HttpClient.Builder tlsVersions(TlsVersion... versions) {
      return new Builder(jdk.tlsVersions(versions));
    }

    @Override
    public HttpClient.Builder preferHttp11() {
      return new Builder(jdk.preferHttp11());
    }

    @Override
    public HttpClient.Builder proxyType(HttpClient.ProxyType type) {
      return new Builder(jdk.proxyType(type));
    }
  }
}
