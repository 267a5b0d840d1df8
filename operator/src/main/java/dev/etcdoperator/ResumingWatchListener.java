package dev.etcdoperator;

import io.fabric8.kubernetes.client.http.WebSocket;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;

/**
 * Fabric8's listener of a watch's WebSocket, with two changes for a stream the JDK's WebSocket client lost its place
 * in (docs/performance.md, "Watches that fail in the JDK's WebSocket client"), a fault of the transport that a fresh
 * connection does not have. Fabric8 ends a watch for good on a {@link ProtocolException} or a message it cannot read
 * (the operator then restarts), and resumes it from its last resource version on any other {@link IOException}. So:
 *
 * <ul>
 *   <li>a ProtocolException once the WebSocket is open ("Invalid UTF-8 in frame TEXT", "Unexpected rsv1 bit")
 *       reaches Fabric8 as a plain IOException; one before it opened (a refused upgrade) is left as it is;</li>
 *   <li>a text message that is not a whole JSON object (one cut short) is not passed on: the WebSocket is given up
 *       with an IOException instead.</li>
 * </ul>
 */
final class ResumingWatchListener implements WebSocket.Listener {
  private final WebSocket.Listener watch;
  private volatile boolean open;
  private volatile boolean givenUp;

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
    if (givenUp) {
      return;
    }
    if (!JsonObjectText.isWhole(text)) {
      givenUp = true;
      watch.onError(webSocket, new IOException("a watch message arrived cut short (" + text.length()
          + " characters); the watch resumes on a new connection"));
      webSocket.sendClose(1002, "message cut short");
      return;
    }
    watch.onMessage(webSocket, text);
  }

  @Override
  public void onMessage(WebSocket webSocket, ByteBuffer bytes) {
    if (!givenUp) {
      watch.onMessage(webSocket, bytes);
    }
  }

  @Override
  public void onClose(WebSocket webSocket, int code, String reason) {
    if (!givenUp) {
      watch.onClose(webSocket, code, reason);
    }
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    if (givenUp) {
      return;
    }
    watch.onError(webSocket, open && error instanceof ProtocolException
        ? new IOException("the WebSocket stream broke off mid-message; the watch resumes on a new connection", error)
        : error);
  }
}
