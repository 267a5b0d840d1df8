package dev.etcdoperator.testapiserver;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs Fabric8's mock Kubernetes API server in CRUD mode (with {@link ConformingCrudDispatcher}) on 127.0.0.1, plain
 * HTTP. Usage: {@code java -jar test-apiserver.jar [PORT]} (0 or nothing: any free port). Prints one line
 * {@code LISTENING <port>} on stdout when ready, and stops when its stdin reaches end of file (so it dies with the
 * process that started it) or on SIGTERM.
 */
public final class TestApiServerMain {

  private TestApiServerMain() {
  }

  public static void main(String[] args) throws IOException {
    int port;
    try {
      port = args.length == 0 ? 0 : Integer.parseInt(args[0]);
    } catch (NumberFormatException e) {
      System.err.println("usage: java -jar test-apiserver.jar [PORT]   (0 = any free port)");
      System.exit(2);
      return;
    }
    // Quiet unless asked otherwise (-Dorg.slf4j.simpleLogger.defaultLogLevel=debug); set before any logger exists.
    // A system property rather than a simplelogger.properties, which would leak into the operator's test classpath.
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    Logger.getLogger("").setLevel(Level.WARNING); // the mock web server logs every request through JUL at INFO
    if (System.getProperty("io.netty.noUnsafe") == null) {
      // Netty 4.1 (under Vert.x 4.5) uses sun.misc.Unsafe, which JDK 24+ warns about on stderr; not needed here.
      System.setProperty("io.netty.noUnsafe", "true");
    }

    KubernetesMockServer server = start(port);
    Runtime.getRuntime().addShutdownHook(new Thread(server::destroy, "test-apiserver-shutdown"));
    System.out.println("LISTENING " + server.getPort());
    System.out.flush();

    InputStream in = System.in;
    byte[] sink = new byte[256];
    while (in.read(sink) >= 0) {
      // nothing to read: the parent keeps stdin open while it wants the server, and closes it (or dies) to stop it
    }
    System.exit(0); // runs the shutdown hook
  }

  /** Starts a CRUD-mode server on 127.0.0.1:port (0 = any free port); callers {@code destroy()} it. */
  public static KubernetesMockServer start(int port) throws IOException {
    // As the stock CRUD mode (KubernetesMixedDispatcher): the expectations the server registers itself
    // (GET / and /version) first, everything else from the CRUD store.
    Map<ServerRequest, Queue<ServerResponse>> expectations = new ConcurrentHashMap<>();
    MockDispatcher expected = new MockDispatcher(expectations);
    ConformingCrudDispatcher crud = new ConformingCrudDispatcher();
    Dispatcher dispatcher = new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        Queue<ServerResponse> queue = expectations.get(new SimpleRequest(request.method(), request.getPath()));
        return queue != null && !queue.isEmpty() ? expected.dispatch(request) : crud.dispatch(request);
      }
    };
    KubernetesMockServer server = new KubernetesMockServer(new Context(Serialization.jsonMapper()),
        new MockWebServer(), expectations, dispatcher, false);
    server.init(InetAddress.getByName("127.0.0.1"), port);
    return server;
  }
}
