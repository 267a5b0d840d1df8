package dev.etcdoperator;

import io.fabric8.kubernetes.client.http.WebSocket;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;

/**
 * Fabric8's listener of a watch's WebSocket, with one change: a {@link ProtocolException} once the WebSocket is open
 * reaches it as a plain {@link IOException}. Fabric8 ends a watch for good on a ProtocolException (the operator then
 * restarts), and resumes it from its last resource version on any other IOException. The JDK's WebSocket client
 * raises one mid-stream when it loses its place in the bytes it receives ("Invalid UTF-8 in frame TEXT", "Unexpected
 * rsv1 bit": docs/performance.md, "Watches that fail in the JDK's WebSocket client"), a fault of the transport that
 * a fresh connection does not have. A ProtocolException before the WebSocket opened (a refused upgrade) is left as
 * it is.
 */
final class ResumingWatchListener implements WebSocket.Listener {
  private final WebSocket.Listener watch;
  private volatile boolean open;

  ResumingWatchListener(WebSocket.Listener watch) {
    this.watch = watch;
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    open = true;
    watch.onOpen(webSocket);
  }

  @Override
  public void onMessage(WebSocket webSocket, String text) {
    watch.onMessage(webSocket, text);
  }

  @Override
  public void onMessage(WebSocket webSocket, ByteBuffer bytes) {
    watch.onMessage(webSocket, bytes);
  }

  @Override
  public void onClose(WebSocket webSocket, int code, String reason) {
    watch.onClose(webSocket, code, reason);
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    watch.onError(webSocket, open && error instanceof ProtocolException
        ? new IOException("the WebSocket stream broke off mid-message; the watch resumes on a new connection", error)
        : error);
  }
}
