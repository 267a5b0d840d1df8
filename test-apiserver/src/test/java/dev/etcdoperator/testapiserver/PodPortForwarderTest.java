package dev.etcdoperator.testapiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.http.WebSocket;
import io.fabric8.kubernetes.client.http.WebSocketHandshakeException;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pod port-forwarding through the stand-in, driven by Fabric8's own client ({@code pods().portForward(...)}) as the
 * operator drives it, with small TCP servers on their own 127.x addresses standing in for the pods.
 */
class PodPortForwarderTest {
  private static final String NS = "pf";
  private static final Duration WAIT = Duration.ofSeconds(15);

  private static KubernetesMockServer server;
  private static KubernetesClient client;
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  /** Held, so that the level stays set: the mock server logs every request through JUL at INFO. */
  private static final java.util.logging.Logger MOCK_SERVER_LOG =
      java.util.logging.Logger.getLogger(io.fabric8.mockwebserver.MockWebServer.class.getName());

  @BeforeAll
  static void startServer() throws IOException {
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
    if (System.getProperty("io.netty.noUnsafe") == null) {
      System.setProperty("io.netty.noUnsafe", "true"); // as TestApiServerMain: no sun.misc.Unsafe warnings on JDK 24+
    }
    server = TestApiServerMain.start(0);
    // The JDK HTTP client, as in the operator. (With Fabric8's Vert.x client, 7.5.2, about one port-forward
    // connection in a hundred never delivered the pod's first data frame to the local socket, although the server
    // had sent it; 0 in 550 with the JDK client.)
    client = new KubernetesClientBuilder().withHttpClientFactory(new JdkHttpClientFactory())
        .withConfig(new ConfigBuilder(Config.empty())
            .withMasterUrl("http://127.0.0.1:" + server.getPort()).withNamespace(NS).build()).build();
  }

  @AfterAll
  static void stopServer() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.destroy();
    }
  }

  @AfterEach
  void closeEverything() throws Exception {
    for (AutoCloseable c : cleanup.reversed()) {
      c.close();
    }
  }

  @Test
  void bytesFlowBothWaysThroughTheForward() throws Exception {
    TcpServer pod = tcpServer(null);
    createPod("echo", pod.host());
    LocalPortForward forward = forward("echo", pod.port());

    try (Socket local = connect(forward)) {
      local.getOutputStream().write("ping".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(readExactly(local, 4), StandardCharsets.UTF_8)).isEqualTo("ping");

      // More than one frame's worth each way, written while the echo comes back.
      byte[] big = new byte[3 * 1024 * 1024 + 17];
      new Random(42).nextBytes(big);
      CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
        try {
          local.getOutputStream().write(big);
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      });
      assertThat(readExactly(local, big.length)).isEqualTo(big);
      writing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    assertThat(pod.accepted()).isEqualTo(1);
    assertThat(forward.errorOccurred()).isFalse();
  }

  @Test
  void everyLocalConnectionGetsItsOwnConnectionToThePod() throws Exception {
    TcpServer pod = tcpServer(null);
    createPod("multi", pod.host());
    LocalPortForward forward = forward("multi", pod.port());

    List<Socket> locals = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      locals.add(connect(forward));
    }
    for (int i = 0; i < 3; i++) {
      locals.get(i).getOutputStream().write(("connection " + i).getBytes(StandardCharsets.UTF_8));
    }
    for (int i = 2; i >= 0; i--) {
      String expected = "connection " + i;
      assertThat(new String(readExactly(locals.get(i), expected.length()), StandardCharsets.UTF_8))
          .isEqualTo(expected);
    }
    assertThat(pod.accepted()).isEqualTo(3);
    assertThat(pod.open()).isEqualTo(3);
    for (Socket local : locals) {
      local.close();
    }
  }

  @Test
  void eachPodIsReachedAtItsOwnAddress() throws Exception {
    TcpServer first = tcpServer("first");
    TcpServer second = tcpServerOn(first.port(), "second");
    createPod("first", first.host());
    createPod("second", second.host());

    try (Socket a = connect(forward("first", first.port())); Socket b = connect(forward("second", first.port()))) {
      assertThat(new String(readExactly(a, 5), StandardCharsets.UTF_8)).isEqualTo("first");
      assertThat(new String(readExactly(b, 6), StandardCharsets.UTF_8)).isEqualTo("second");
    }
  }

  @Test
  void theServerAnnouncesThePortOnBothChannelsThenCarriesData() throws Exception {
    TcpServer pod = tcpServer("hello");
    createPod("frames", pod.host());
    List<byte[]> frames = new CopyOnWriteArrayList<>();
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    URI uri = URI.create("http://127.0.0.1:" + server.getPort() + "/api/v1/namespaces/" + NS
        + "/pods/frames/portforward?ports=" + pod.port());
    WebSocket ws = client.getHttpClient().newWebSocketBuilder().uri(uri).subprotocol("v4.channel.k8s.io")
        .buildAsync(new WebSocket.Listener() {
          @Override
          public void onMessage(WebSocket webSocket, ByteBuffer bytes) {
            byte[] frame = new byte[bytes.remaining()];
            bytes.get(frame);
            frames.add(frame);
            webSocket.request();
          }

          @Override
          public void onClose(WebSocket webSocket, int code, String reason) {
            closed.complete(code);
          }
        }).get(WAIT.toSeconds(), TimeUnit.SECONDS);

    byte lo = (byte) pod.port();
    byte hi = (byte) (pod.port() >>> 8);
    await().atMost(WAIT).until(() -> frames.size() >= 3);
    assertThat(frames.get(0)).containsExactly(0, lo, hi);
    assertThat(frames.get(1)).containsExactly(1, lo, hi);
    assertThat(frames.get(2)).containsExactly(0, 'h', 'e', 'l', 'l', 'o');

    ws.send(ByteBuffer.wrap(new byte[] {0, 'x', 'y'}));
    await().atMost(WAIT).untilAsserted(() -> assertThat(frames).hasSize(4));
    assertThat(frames.get(3)).containsExactly(0, 'x', 'y');

    ws.sendClose(1000, "done");
    closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> pod.open() == 0);
  }

  @Test
  void aMissingPodIsNotFound() throws Exception {
    HttpResponse<String> plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + server.getPort() + "/api/v1/namespaces/" + NS + "/pods/nope/portforward?ports=80"))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(plain.statusCode()).isEqualTo(404);
    Status status = Serialization.unmarshal(plain.body(), Status.class);
    assertThat(status.getReason()).isEqualTo("NotFound");
    assertThat(status.getMessage()).isEqualTo("pods \"nope\" not found");

    CompletableFuture<WebSocket> upgrade = client.getHttpClient().newWebSocketBuilder()
        .uri(URI.create("http://127.0.0.1:" + server.getPort() + "/api/v1/namespaces/" + NS
            + "/pods/nope/portforward?ports=80"))
        .subprotocol("v4.channel.k8s.io").buildAsync(new WebSocket.Listener() {});
    assertThat(upgrade).failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
        .havingCause().isInstanceOfSatisfying(WebSocketHandshakeException.class,
            e -> assertThat(e.getResponse().code()).isEqualTo(404));

    // Through Fabric8's local forward: the local connection is closed at once.
    LocalPortForward forward = forward("nope", 80);
    try (Socket local = connect(forward)) {
      assertThat(local.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void aPodWithoutAnAddressOrNotListeningGetsAnErrorOnTheErrorChannel() throws Exception {
    createPod("pending", null);
    LocalPortForward pending = forward("pending", 2379);
    try (Socket local = connect(pending)) {
      assertThat(local.getInputStream().read()).isEqualTo(-1);
    }
    await().atMost(WAIT).untilAsserted(() -> assertThat(pending.getServerThrowables())
        .anySatisfy(t -> assertThat(t).hasMessageContaining("pod pf/pending has no IP address")));

    TcpServer nothing = tcpServer(null);
    nothing.close(); // an address and port where nothing listens
    createPod("refusing", nothing.host());
    LocalPortForward refusing = forward("refusing", nothing.port());
    try (Socket local = connect(refusing)) {
      assertThat(local.getInputStream().read()).isEqualTo(-1);
    }
    await().atMost(WAIT).untilAsserted(() -> assertThat(refusing.getServerThrowables())
        .anySatisfy(t -> assertThat(t).hasMessageContaining("error forwarding port " + nothing.port()
            + " to pod pf/refusing: dial tcp " + nothing.host() + ":" + nothing.port())
            .hasMessageContaining("refused")));
  }

  @Test
  void thePodClosingTheConnectionClosesTheLocalOne() throws Exception {
    TcpServer pod = tcpServer("bye");
    createPod("closer", pod.host());
    try (Socket local = connect(forward("closer", pod.port()))) {
      assertThat(new String(readExactly(local, 3), StandardCharsets.UTF_8)).isEqualTo("bye");
      pod.dropConnections();
      assertThat(local.getInputStream().read()).isEqualTo(-1);
    }
    await().atMost(WAIT).until(() -> forwardingThreads("closer") == 0);
  }

  @Test
  void closingTheForwardClosesEveryConnectionToThePodAndEndsItsThreads() throws Exception {
    TcpServer pod = tcpServer(null);
    createPod("closing", pod.host());
    LocalPortForward forward = forward("closing", pod.port());
    List<Socket> locals = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Socket local = connect(forward);
      locals.add(local);
      local.getOutputStream().write('x');
      assertThat(readExactly(local, 1)).containsExactly('x');
    }
    assertThat(pod.open()).isEqualTo(2);
    assertThat(forwardingThreads("closing")).as("two per connection").isEqualTo(4);

    forward.close();

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(pod.open()).as("connections to the pod still open").isZero();
      assertThat(forwardingThreads("closing")).as("forwarding threads still running").isZero();
    });
    for (Socket local : locals) {
      local.setSoTimeout((int) WAIT.toMillis());
      assertThat(local.getInputStream().read()).isEqualTo(-1);
    }
  }

  // ----------------------------------------------------------------------------------------------------------

  /** The stand-in's threads forwarding to this pod (the server runs in this JVM). */
  private static long forwardingThreads(String pod) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(PodPortForwarder.THREAD_PREFIX)
            && t.getName().contains(" " + NS + "/" + pod + ":"))
        .count();
  }

  private LocalPortForward forward(String pod, int port) {
    LocalPortForward forward = client.pods().inNamespace(NS).withName(pod).portForward(port);
    cleanup.add(forward);
    return forward;
  }

  private Socket connect(LocalPortForward forward) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), forward.getLocalPort());
    socket.setSoTimeout((int) WAIT.toMillis());
    cleanup.add(socket);
    return socket;
  }

  private static byte[] readExactly(Socket socket, int length) throws IOException {
    byte[] data = socket.getInputStream().readNBytes(length);
    assertThat(data).as("bytes before end of stream").hasSize(length);
    return data;
  }

  private void createPod(String name, String podIp) {
    Pod pod = client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name)
        .endMetadata().withNewSpec().addNewContainer().withName("c").withImage("x").endContainer().endSpec()
        .build()).create();
    pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").withPodIP(podIp)
        .build());
    client.pods().inNamespace(NS).resource(pod).updateStatus();
    cleanup.add(() -> client.pods().inNamespace(NS).withName(name).delete());
  }

  /** A TCP server on a fresh 127.x.y.1 address: says {@code greeting} (if any) to each connection, then echoes. */
  private TcpServer tcpServer(String greeting) throws IOException {
    for (int tries = 0; ; tries++) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      String host = "127." + random.nextInt(1, 255) + "." + random.nextInt(0, 256) + ".1";
      try {
        return track(new TcpServer(host, 0, greeting));
      } catch (IOException e) {
        if (tries > 20) {
          throw e;
        }
      }
    }
  }

  /** Like {@link #tcpServer} on the same port as another one, at another address. */
  private TcpServer tcpServerOn(int port, String greeting) throws IOException {
    for (int tries = 0; ; tries++) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      String host = "127." + random.nextInt(1, 255) + "." + random.nextInt(0, 256) + ".2";
      try {
        return track(new TcpServer(host, port, greeting));
      } catch (IOException e) {
        if (tries > 20) {
          throw e;
        }
      }
    }
  }

  private TcpServer track(TcpServer tcpServer) {
    cleanup.add(tcpServer);
    return tcpServer;
  }

  private static final class TcpServer implements AutoCloseable {
    private final ServerSocket serverSocket;
    private final byte[] greeting;
    private final AtomicInteger accepted = new AtomicInteger();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    TcpServer(String host, int port, String greeting) throws IOException {
      this.greeting = greeting == null ? new byte[0] : greeting.getBytes(StandardCharsets.UTF_8);
      serverSocket = new ServerSocket();
      serverSocket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
      daemon(this::accept);
    }

    String host() {
      return serverSocket.getInetAddress().getHostAddress();
    }

    int port() {
      return serverSocket.getLocalPort();
    }

    int accepted() {
      return accepted.get();
    }

    /** Connections whose other end (the stand-in) has not closed yet. */
    int open() {
      return open.size();
    }

    void dropConnections() throws IOException {
      for (Socket socket : open) {
        socket.close();
      }
    }

    private void accept() {
      try {
        while (true) {
          Socket socket = serverSocket.accept();
          accepted.incrementAndGet();
          open.add(socket);
          daemon(() -> echo(socket));
        }
      } catch (IOException closed) {
        // server closed
      }
    }

    private void echo(Socket socket) {
      try (socket; InputStream in = socket.getInputStream()) {
        socket.getOutputStream().write(greeting);
        byte[] buffer = new byte[8192];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          socket.getOutputStream().write(buffer, 0, n);
        }
      } catch (IOException closed) {
        // either side closed
      } finally {
        open.remove(socket);
      }
    }

    @Override
    public void close() throws IOException {
      serverSocket.close();
      dropConnections();
    }

    private static void daemon(Runnable task) {
      Thread thread = new Thread(task, "tcp-server");
      thread.setDaemon(true);
      thread.start();
    }
  }
}
