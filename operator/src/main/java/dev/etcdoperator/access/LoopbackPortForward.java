package dev.etcdoperator.access;

import io.fabric8.kubernetes.client.PortForward;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A port on 127.0.0.1 forwarding to one port of a pod through the API server, like {@code kubectl port-forward}:
 * every accepted connection gets its own port-forward stream (a websocket), and the two end together. Whichever side
 * ends first (the local client closes or resets its connection, the API server or the pod closes the stream, an error
 * on either side), the other is closed too, so nothing outlives the local connection.
 *
 * <p>Fabric8's own {@code LocalPortForward} (7.5.2) does not do that: when a local connection ends it keeps the
 * websocket, the connection behind it and a thread, for as long as the forward exists. Clients that open short-lived
 * connections (jetcd's per-member probes) would accumulate them.
 *
 * <p>Threads: one daemon acceptor per forward, named after it. The bytes are pumped by the Fabric8 port-forward
 * itself (its own per-stream executor and the HTTP client's), which stops when the stream is closed.
 */
final class LoopbackPortForward implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LoopbackPortForward.class);
  static final String THREAD_PREFIX = "etcd-port-forward ";
  private static final Duration ACCEPTOR_STOP = Duration.ofSeconds(1);

  /** Opens one port-forward stream to the target port, reading what to send from {@code in} into {@code out}. */
  @FunctionalInterface
  interface StreamOpener {
    PortForward open(ReadableByteChannel in, WritableByteChannel out);
  }

  private final String target;
  private final StreamOpener opener;
  private final ServerSocket serverSocket;
  private final Thread acceptor;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong accepted = new AtomicLong();

  private LoopbackPortForward(String target, StreamOpener opener, ServerSocket serverSocket) {
    this.target = target;
    this.opener = opener;
    this.serverSocket = serverSocket;
    this.acceptor = new Thread(this::acceptLoop, THREAD_PREFIX + target);
    this.acceptor.setDaemon(true);
  }

  /**
   * Listens on a free port of 127.0.0.1 (and nowhere else).
   *
   * @param target what is forwarded to, for thread names and logs (e.g. {@code ns/pod:2379})
   */
  static LoopbackPortForward open(String target, StreamOpener opener) throws IOException {
    ServerSocket serverSocket = new ServerSocket();
    try {
      serverSocket.bind(new InetSocketAddress(loopback(), 0));
    } catch (IOException e) {
      serverSocket.close();
      throw e;
    }
    LoopbackPortForward forward = new LoopbackPortForward(target, opener, serverSocket);
    forward.acceptor.start();
    LOG.debug("forwarding 127.0.0.1:{} to {}", forward.localPort(), target);
    return forward;
  }

  /** 127.0.0.1 itself: the URLs handed out name it, and {@link InetAddress#getLoopbackAddress()} may be ::1. */
  static InetAddress loopback() {
    try {
      return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // a 4-byte address is always valid
    }
  }

  int localPort() {
    return serverSocket.getLocalPort();
  }

  /** Still accepting connections. */
  boolean isAlive() {
    return !closed.get() && acceptor.isAlive();
  }

  /** Local connections currently open (each with its stream). */
  int openConnections() {
    return connections.size();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeQuietly(serverSocket);
    List.copyOf(connections).forEach(c -> c.end("the forward was closed"));
    if (Thread.currentThread() != acceptor) {
      try {
        acceptor.join(ACCEPTOR_STOP);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    LOG.debug("closed the forward 127.0.0.1:{} to {}", localPort(), target);
  }

  private void acceptLoop() {
    try {
      while (!closed.get()) {
        Socket socket = serverSocket.accept();
        Connection connection = new Connection(socket, target + " #" + accepted.incrementAndGet());
        connections.add(connection);
        if (closed.get()) {
          connection.end("the forward was closed");
        } else {
          connection.start();
        }
      }
    } catch (IOException e) {
      if (!closed.get()) {
        LOG.warn("the forward 127.0.0.1:{} to {} stopped accepting connections: {}", localPort(), target,
            e.toString());
      }
    } finally {
      close();
    }
  }

  /** One local connection and its port-forward stream. */
  private final class Connection {
    private final Socket socket;
    private final String name;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile PortForward stream;

    Connection(Socket socket, String name) {
      this.socket = socket;
      this.name = name;
    }

    void start() {
      try {
        socket.setTcpNoDelay(true);
        PortForward opened = opener.open(new FromLocal(socket.getInputStream()),
            new ToLocal(socket.getOutputStream()));
        stream = opened;
        if (ended.get()) {
          // Ended while the stream was being opened (end() may not have seen it): close it here.
          closeQuietly(opened);
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("{}: cannot open a port-forward stream: {}", name, e.toString());
        end("opening the stream failed");
      }
    }

    /** Ends both sides, once. */
    void end(String why) {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      connections.remove(this);
      closeQuietly(socket);
      PortForward opened = stream;
      if (opened != null) {
        if (opened.errorOccurred()) {
          LOG.debug("{} ended ({}); errors: client {}, server {}", name, why, opened.getClientThrowables(),
              opened.getServerThrowables());
        } else {
          LOG.trace("{} ended ({})", name, why);
        }
        closeQuietly(opened);
      }
    }

    /** The local client's bytes, read by the stream's pump; the local end of input ends the connection. */
    private final class FromLocal implements ReadableByteChannel {
      private final InputStream in;

      FromLocal(InputStream in) {
        this.in = in;
      }

      @Override
      public int read(ByteBuffer dst) throws IOException {
        if (ended.get()) {
          return -1;
        }
        int n;
        byte[] bytes;
        int offset;
        if (dst.hasArray()) {
          bytes = dst.array();
          offset = dst.arrayOffset() + dst.position();
        } else {
          bytes = new byte[dst.remaining()];
          offset = 0;
        }
        try {
          n = in.read(bytes, offset, dst.remaining());
        } catch (IOException e) {
          if (ended.get()) {
            return -1;
          }
          end("reading the local connection failed: " + e.getMessage());
          throw e;
        }
        if (n < 0) {
          end("the local client closed the connection");
          return -1;
        }
        if (dst.hasArray()) {
          dst.position(dst.position() + n);
        } else {
          dst.put(bytes, 0, n);
        }
        return n;
      }

      @Override
      public boolean isOpen() {
        return !ended.get();
      }

      /** Called by the stream when it ends (remote close, error, or our own close). */
      @Override
      public void close() {
        end("the port-forward stream ended");
      }
    }

    /** The pod's bytes, written by the stream; a failed write ends the connection. */
    private final class ToLocal implements WritableByteChannel {
      private final OutputStream out;

      ToLocal(OutputStream out) {
        this.out = out;
      }

      @Override
      public int write(ByteBuffer src) throws IOException {
        int n = src.remaining();
        try {
          if (src.hasArray()) {
            out.write(src.array(), src.arrayOffset() + src.position(), n);
            src.position(src.position() + n);
          } else {
            byte[] bytes = new byte[n];
            src.get(bytes);
            out.write(bytes);
          }
          out.flush();
        } catch (IOException e) {
          end("writing to the local connection failed: " + e.getMessage());
          throw e;
        }
        return n;
      }

      @Override
      public boolean isOpen() {
        return !ended.get();
      }

      @Override
      public void close() {
        end("the port-forward stream ended");
      }
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.debug("closing {} failed: {}", closeable, e.toString());
    }
  }
}
