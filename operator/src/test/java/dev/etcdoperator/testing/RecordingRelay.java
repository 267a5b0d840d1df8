package dev.etcdoperator.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A TCP relay in front of a server that keeps a copy of every byte clients send, so a test can check the requests as
 * they went over the wire (headers a server accepts but does not act on, such as S3's encryption ones), and counts
 * the connections clients open.
 */
public final class RecordingRelay implements AutoCloseable {
  /** One request's line and headers (names in lower case). */
  public record Request(String method, String target, Map<String, String> headers) {}

  private final ServerSocket server;
  private final URI target;
  private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
  private final List<Socket> sockets = new ArrayList<>();

  public RecordingRelay(URI target) throws IOException {
    this.target = target;
    server = new ServerSocket(0, 50, InetAddress.getByName(target.getHost()));
    Thread acceptor = new Thread(this::accept, "relay-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public URI endpoint() {
    return URI.create(target.getScheme() + "://" + target.getHost() + ":" + server.getLocalPort());
  }

  /**
   * The requests sent so far, in order, read as HTTP/1.1 does: request line, headers, then content-length bytes of
   * body (one connection at a time is enough for these tests: the recording interleaves concurrent connections).
   */
  public synchronized List<Request> requests() {
    String text = sent.toString(StandardCharsets.ISO_8859_1);
    List<Request> requests = new ArrayList<>();
    int at = 0;
    while (at < text.length()) {
      int headEnd = text.indexOf("\r\n\r\n", at);
      if (headEnd < 0) {
        break;
      }
      String[] lines = text.substring(at, headEnd).split("\r\n");
      String[] requestLine = lines[0].split(" ");
      Map<String, String> headers = new TreeMap<>();
      for (String header : List.of(lines).subList(1, lines.length)) {
        int colon = header.indexOf(':');
        headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
      }
      requests.add(new Request(requestLine[0], requestLine[1], headers));
      at = headEnd + 4 + Integer.parseInt(headers.getOrDefault("content-length", "0"));
    }
    return requests;
  }

  /** How many connections clients opened through the relay so far. */
  public synchronized int connectionsAccepted() {
    return sockets.size() / 2;
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket();
        upstream.connect(new InetSocketAddress(target.getHost(), target.getPort()));
        synchronized (this) {
          sockets.add(client);
          sockets.add(upstream);
        }
        pump(client.getInputStream(), upstream.getOutputStream(), true);
        pump(upstream.getInputStream(), client.getOutputStream(), false);
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void pump(InputStream in, OutputStream out, boolean record) {
    Thread pump = new Thread(() -> {
      byte[] buffer = new byte[64 * 1024];
      try (in; out) {
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          if (record) {
            synchronized (this) {
              sent.write(buffer, 0, n);
            }
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // the other side closed: the connection is over
      }
    }, "relay-pump");
    pump.setDaemon(true);
    pump.start();
  }

  @Override
  public synchronized void close() {
    try {
      server.close();
      for (Socket socket : sockets) {
        socket.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
