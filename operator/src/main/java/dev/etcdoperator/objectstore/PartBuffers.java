package dev.etcdoperator.objectstore;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The part buffers of one upload: allocated on first need, up to a fixed number, and reused after that, so the
 * memory an upload takes is {@code limit x partSize} whatever the object's size. Buffers come back from the
 * threads that sent them, hence the concurrent queue; only the writer takes them.
 */
final class PartBuffers {
  private final int partSize;
  private final int limit;
  private final ConcurrentLinkedQueue<byte[]> free = new ConcurrentLinkedQueue<>();
  private int allocated;

  PartBuffers(int partSize, int limit) {
    this.partSize = partSize;
    this.limit = limit;
  }

  /** A free buffer, a new one while fewer than the limit exist, or null: the caller waits for a part to be sent. */
  byte[] take() {
    byte[] buffer = free.poll();
    if (buffer == null && allocated < limit) {
      allocated++;
      buffer = new byte[partSize];
    }
    return buffer;
  }

  /** Back for reuse, once its part is sent (or failed). */
  void give(byte[] buffer) {
    free.add(buffer);
  }

  /** How many buffers were ever allocated: the most this upload held at once. */
  int allocated() {
    return allocated;
  }
}
