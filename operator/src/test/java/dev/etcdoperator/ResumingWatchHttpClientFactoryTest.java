package dev.etcdoperator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A watch through the real JDK WebSocket client, against a server whose first WebSocket sends what the client hands
 * on when it loses its place in a stream (a text frame that is not UTF-8, or a message cut short) and whose later
 * ones send a valid event.
 */
class ResumingWatchHttpClientFactoryTest {

  /** The two ways the client hands on a stream it lost its place in: a frame that is not UTF-8, a message cut short. */
  static Stream<Arguments> brokenFirstMessages() {
    return Stream.of(Arguments.of("not UTF-8", BrokenFirstWatchServer.NOT_UTF8),
        Arguments.of("cut short", BrokenFirstWatchServer.CUT_SHORT));
  }

  @ParameterizedTest(name = "first message {0}")
  @MethodSource("brokenFirstMessages")
  void aWatchWhoseStreamBreaksOffResumesOnANewConnection(String what, byte[] first) throws Exception {
    try (BrokenFirstWatchServer server = new BrokenFirstWatchServer(first)) {
      Outcome outcome = watch(server, new ResumingWatchHttpClientFactory());

      assertThat(outcome.added().get(30, TimeUnit.SECONDS)).isEqualTo("after-reconnect");
      assertThat(outcome.ended()).as("the watch ended").isNotDone();
      assertThat(server.connections()).isEqualTo(2);
    }
  }

  /** What the wrapper changes: the JDK client's ProtocolException ends a Fabric8 watch for good. */
  @Test
  void withoutItTheSameWatchEnds() throws Exception {
    try (BrokenFirstWatchServer server = new BrokenFirstWatchServer(BrokenFirstWatchServer.NOT_UTF8)) {
      Outcome outcome = watch(server, new JdkHttpClientFactory());

      WatcherException ended = outcome.ended().get(30, TimeUnit.SECONDS);
      assertThat(ended).hasRootCauseInstanceOf(java.nio.charset.MalformedInputException.class);
      assertThat(ended.getCause()).isInstanceOf(ProtocolException.class);
      assertThat(outcome.added()).isNotDone();
    }
  }

  /** And so does a message Fabric8 cannot read. */
  @Test
  void withoutItAWatchWhoseMessageArrivesCutShortEnds() throws Exception {
    try (BrokenFirstWatchServer server = new BrokenFirstWatchServer(BrokenFirstWatchServer.CUT_SHORT)) {
      Outcome outcome = watch(server, new JdkHttpClientFactory());

      assertThat(outcome.ended().get(30, TimeUnit.SECONDS)).hasMessage("Unexpected exception processing watch event")
          .hasRootCauseInstanceOf(com.fasterxml.jackson.core.io.JsonEOFException.class);
      assertThat(outcome.added()).isNotDone();
    }
  }

  private record Outcome(CompletableFuture<String> added, CompletableFuture<WatcherException> ended) {}

  private static Outcome watch(BrokenFirstWatchServer server, HttpClient.Factory factory) {
    Outcome outcome = new Outcome(new CompletableFuture<>(), new CompletableFuture<>());
    KubernetesClient client = new KubernetesClientBuilder().withHttpClientFactory(factory)
        .withConfig(new ConfigBuilder().withMasterUrl(server.url()).withWatchReconnectInterval(100)
            .withRequestRetryBackoffLimit(0).build()).build();
    Watch watch = client.configMaps().inNamespace("ns").watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, ConfigMap configMap) {
        outcome.added().complete(configMap.getMetadata().getName());
      }

      @Override
      public void onClose(WatcherException cause) {
        outcome.ended().complete(cause);
      }
    });
    outcome.added().whenComplete((name, e) -> close(watch, client));
    outcome.ended().whenComplete((cause, e) -> close(watch, client));
    server.onClose(() -> close(watch, client));
    return outcome;
  }

  private static void close(Watch watch, KubernetesClient client) {
    watch.close();
    client.close();
  }

  /** Answers every request with a WebSocket upgrade and one text frame; not a general server. */
  private static final class BrokenFirstWatchServer implements AutoCloseable {
    private static final Pattern KEY = Pattern.compile("(?im)^Sec-WebSocket-Key:\\s*(\\S+)\\s*$");
    static final byte[] NOT_UTF8 = {'{', (byte) 0xC3, '(', '}'};
    private static final byte[] ADDED = ("{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
        + "\"metadata\":{\"name\":\"after-reconnect\",\"namespace\":\"ns\",\"resourceVersion\":\"2\"}}}")
        .getBytes(StandardCharsets.US_ASCII);
    /** An event's first half: what arrived of a message whose bytes the client lost track of. */
    static final byte[] CUT_SHORT = java.util.Arrays.copyOf(ADDED, ADDED.length / 2);
    private final byte[] first;
    private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final AtomicInteger connections = new AtomicInteger();
    private volatile Runnable onClose = () -> { };

    BrokenFirstWatchServer(byte[] first) throws IOException {
      this.first = first;
      Thread.ofPlatform().daemon().name("watch-server").start(this::accept);
    }

    String url() {
      return "http://127.0.0.1:" + socket.getLocalPort();
    }

    int connections() {
      return connections.get();
    }

    void onClose(Runnable action) {
      onClose = action;
    }

    private void accept() {
      try {
        while (true) {
          Socket connection = socket.accept();
          int n = connections.incrementAndGet();
          Thread.ofPlatform().daemon().start(() -> serve(connection, n == 1 ? first : ADDED));
        }
      } catch (IOException closed) {
        // the test is over
      }
    }

    private static void serve(Socket connection, byte[] payload) {
      try (connection) {
        InputStream in = connection.getInputStream();
        StringBuilder request = new StringBuilder();
        while (!request.toString().endsWith("\r\n\r\n")) {
          int b = in.read();
          if (b < 0) {
            return;
          }
          request.append((char) b);
        }
        Matcher key = KEY.matcher(request);
        if (!key.find()) {
          return;
        }
        String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1").digest(
            (key.group(1) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
        OutputStream out = connection.getOutputStream();
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        // One frame: FIN and text, then the length (16 bits from 126 bytes on; every payload here is under 64 KiB)
        out.write(payload.length < 126 ? new byte[] {(byte) 0x81, (byte) payload.length}
            : new byte[] {(byte) 0x81, 126, (byte) (payload.length >>> 8), (byte) payload.length});
        out.write(payload);
        out.flush();
        while (in.read() >= 0) {
          // keep the WebSocket open until the client goes
        }
      } catch (IOException | java.security.NoSuchAlgorithmException e) {
        // the client went
      }
    }

    @Override
    public void close() throws IOException {
      onClose.run();
      socket.close();
    }
  }
}
