package dev.etcdoperator.testapiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pod port-forwarding ({@code GET /api/v1/namespaces/NS/pods/NAME/portforward?ports=P}, a websocket) as a kubelet
 * does it, for the stand-in: each websocket gets one TCP connection to the pod's {@code status.podIP:P}.
 *
 * <p>Stream protocol ({@code v4.channel.k8s.io}, one port): every binary frame starts with a channel byte, 0 for data
 * and 1 for errors. The server first sends one frame on each channel carrying the port number (2 bytes, little
 * endian); after that, channel-0 frames carry the bytes of the TCP stream both ways, and a failure (no pod IP, the
 * connection refused) is one channel-1 frame with a UTF-8 message, after which the server closes the websocket. When either
 * side closes, the other is closed too. Threads are daemons, two per websocket while it is open.
 */
final class PodPortForwarder {

  static final byte DATA = 0;
  static final byte ERROR = 1;
  static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  static final String THREAD_PREFIX = "port-forward ";
  private static final int READ_BUFFER = 16 * 1024;
  private static final byte[] END = new byte[0];
  private static final Pattern PATH =
      Pattern.compile("^/api/v1/namespaces/(?<ns>[^/]+)/pods/(?<name>[^/?]+)/portforward(?:\\?(?<query>.*))?$");

  private PodPortForwarder() {
  }

  /**
   * The response to a port-forward request, or null if {@code path} is not one.
   *
   * @param pods the stored pod (JSON) by its path {@code /api/v1/namespaces/NS/pods/NAME}, if it exists
   */
  static MockResponse dispatch(String path, Function<String, Optional<JsonNode>> pods) {
    Matcher matcher = PATH.matcher(path);
    if (!matcher.matches()) {
      return null;
    }
    String namespace = matcher.group("ns");
    String name = matcher.group("name");
    Optional<Integer> port = port(matcher.group("query"));
    if (port.isEmpty()) {
      return status(400, "BadRequest", "the test API server forwards exactly one port per request (?ports=P, "
          + "1-65535), got: " + matcher.group("query"), name);
    }
    Optional<JsonNode> pod = pods.apply("/api/v1/namespaces/" + namespace + "/pods/" + name);
    if (pod.isEmpty()) {
      return status(404, "NotFound", "pods \"" + name + "\" not found", name);
    }
    String podIp = pod.get().path("status").path("podIP").asText("");
    return new MockResponse().withWebSocketUpgrade(
        new Forwarding(namespace + "/" + name, podIp.isEmpty() ? null : podIp, port.get()));
  }

  private static Optional<Integer> port(String query) {
    if (query == null) {
      return Optional.empty();
    }
    Integer port = null;
    for (String parameter : query.split("&")) {
      if (parameter.startsWith("ports=")) {
        if (port != null) {
          return Optional.empty();
        }
        try {
          port = Integer.parseInt(parameter.substring("ports=".length()));
        } catch (NumberFormatException e) {
          return Optional.empty();
        }
      }
    }
    return port != null && port >= 1 && port <= 65535 ? Optional.of(port) : Optional.empty();
  }

  private static MockResponse status(int code, String reason, String message, String name) {
    Status status = new StatusBuilder().withStatus("Failure").withCode(code).withReason(reason).withMessage(message)
        .withNewDetails().withName(name).withKind("pods").endDetails().build();
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
        .setBody(Serialization.asJson(status));
  }

  /** One websocket and its TCP connection to the pod. */
  private static final class Forwarding extends WebSocketListener {
    private final String pod;
    private final String podIp;
    private final int port;
    private final BlockingQueue<byte[]> toPod = new LinkedBlockingQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile WebSocket webSocket;
    private volatile Socket socket;

    Forwarding(String pod, String podIp, int port) {
      this.pod = pod;
      this.podIp = podIp;
      this.port = port;
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      this.webSocket = webSocket;
      webSocket.send(new byte[] {DATA, (byte) port, (byte) (port >>> 8)});
      webSocket.send(new byte[] {ERROR, (byte) port, (byte) (port >>> 8)});
      start("to " + pod + ":" + port, this::connectAndWrite); // connecting may take a while: not on the event loop
    }

    @Override
    public void onMessage(WebSocket webSocket, byte[] frame) {
      if (frame.length > 1 && frame[0] == DATA && !closed.get()) {
        toPod.add(Arrays.copyOfRange(frame, 1, frame.length));
      }
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      close();
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
      close();
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
      close();
    }

    private void connectAndWrite() {
      Socket connection = new Socket();
      try {
        if (podIp == null) {
          fail("pod " + pod + " has no IP address (status.podIP)");
          return;
        }
        try {
          connection.connect(new InetSocketAddress(podIp, port), CONNECT_TIMEOUT_MILLIS);
        } catch (IOException e) {
          fail("error forwarding port " + port + " to pod " + pod + ": dial tcp " + podIp + ":" + port + ": "
              + e.getMessage());
          return;
        }
        socket = connection;
        if (closed.get()) {
          return; // closed while connecting; close() may not have seen the socket
        }
        start("from " + pod + ":" + port, this::read);
        OutputStream out = connection.getOutputStream();
        for (byte[] data = toPod.take(); data != END; data = toPod.take()) {
          out.write(data);
        }
      } catch (IOException | InterruptedException e) {
        // the pod or the client went away
      } finally {
        closeQuietly(connection);
        close();
      }
    }

    private void read() {
      byte[] buffer = new byte[1 + READ_BUFFER];
      buffer[0] = DATA;
      try {
        InputStream in = socket.getInputStream();
        for (int n = in.read(buffer, 1, READ_BUFFER); n >= 0; n = in.read(buffer, 1, READ_BUFFER)) {
          webSocket.send(Arrays.copyOf(buffer, 1 + n));
        }
      } catch (IOException e) {
        // closed
      } finally {
        close();
      }
    }

    private void fail(String message) {
      byte[] text = message.getBytes(StandardCharsets.UTF_8);
      byte[] frame = new byte[1 + text.length];
      frame[0] = ERROR;
      System.arraycopy(text, 0, frame, 1, text.length);
      webSocket.send(frame);
    }

    private void close() {
      if (closed.compareAndSet(false, true)) {
        toPod.add(END);
        closeQuietly(socket);
        if (webSocket != null) {
          webSocket.close(1000, "");
        }
      }
    }

    private static void closeQuietly(Socket socket) {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // nothing to do
        }
      }
    }

    private static void start(String name, Runnable task) {
      Thread thread = new Thread(task, THREAD_PREFIX + name);
      thread.setDaemon(true);
      thread.start();
    }
  }
}
