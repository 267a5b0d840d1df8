package dev.etcdoperator.objectstore;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * An S3 multipart upload written as a stream. Bytes fill a part buffer of {@code partSize}; a full buffer is sent
 * in the background while the next one fills, up to {@code partsInFlight} parts at once, so receiving from etcd and
 * sending to the store overlap, and one slow request does not stall the others. At most {@code partsInFlight + 1}
 * buffers exist, whatever the object's size: a writer that has filled them all waits for the oldest part to be
 * sent. Hashing is left to the writer (a snapshot's is checked as it passes, see SnapshotIntegrity): hashing here
 * again would be a second pass over every byte. {@link #complete} finishes the object; {@link #abort} (or a failed
 * part) removes every uploaded part, so a failed upload leaves nothing behind.
 */
public final class MultipartUpload extends OutputStream {
  /**
   * Parts sent at once unless the caller says otherwise: two keep the store busy while one request is between
   * parts (its response, the next one's headers), and hide one slow request; each more holds one more part in
   * memory. Measured against one at a time in BackupBenchmark (docs/performance.md).
   */
  public static final int DEFAULT_PARTS_IN_FLIGHT = 2;
  /** Part buffers an upload holds at most with the default: those in flight and the one filling. */
  public static final int MAX_PARTS_HELD = DEFAULT_PARTS_IN_FLIGHT + 1;
  /** How long an abort waits for parts being sent to end, so none lands after the upload is dropped. */
  private static final long ABORT_WAIT_SECONDS = 30;

  private final S3Client s3;
  private final String bucket;
  private final String key;
  private final String uploadId;
  private final PartBuffers buffers;
  private final ExecutorService senders;
  // Parts sent and not yet collected, oldest first; collected in order, so `parts` stays sorted by number.
  private final Deque<Future<CompletedPart>> sending = new ArrayDeque<>();
  private final List<CompletedPart> parts = new ArrayList<>();
  private byte[] filling;
  private int filled;
  private long size;
  private int partsSubmitted;
  private boolean finished;

  MultipartUpload(S3Client s3, String bucket, String key, Map<String, String> metadata,
      Optional<ObjectStore.Encryption> sse, int partSize, int partsInFlight) {
    if (partSize < ObjectStore.MIN_PART_SIZE) {
      throw new IllegalArgumentException("S3 parts are at least 5 MiB, got " + partSize);
    }
    if (partsInFlight < 1) {
      throw new IllegalArgumentException("at least one part must be in flight, got " + partsInFlight);
    }
    this.s3 = s3;
    this.bucket = bucket;
    this.key = key;
    this.buffers = new PartBuffers(partSize, partsInFlight + 1);
    try {
      this.uploadId = s3.createMultipartUpload(b -> {
        b.bucket(bucket).key(key).metadata(metadata);
        ObjectStore.Encryption.apply(sse, (type, keyId) -> b.serverSideEncryption(type).ssekmsKeyId(keyId));
      }).uploadId();
    } catch (RuntimeException e) {
      throw ObjectStoreException.of("upload of s3://" + bucket + "/" + key, bucket, e);
    }
    AtomicInteger threads = new AtomicInteger();
    this.senders = Executors.newFixedThreadPool(partsInFlight, task -> {
      Thread thread = new Thread(task, "snapshot-upload-" + threads.incrementAndGet() + " " + key);
      thread.setDaemon(true);
      return thread;
    });
    this.filling = buffers.take();
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    ensureOpen();
    size += length;
    int written = 0;
    while (written < length) {
      int n = Math.min(length - written, filling.length - filled);
      System.arraycopy(bytes, offset + written, filling, filled, n);
      filled += n;
      written += n;
      if (filled == filling.length) {
        send();
        filling = nextBuffer();
      }
    }
  }

  /** Hands the filled buffer to a sender; the buffer goes back to the pool once its part is out. */
  private void send() {
    byte[] full = filling;
    int length = filled;
    int number = ++partsSubmitted;
    filling = null;
    filled = 0;
    sending.add(senders.submit(() -> {
      try {
        String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(number)
            .contentLength((long) length), RequestBody.fromContentProvider(
                () -> new ByteArrayInputStream(full, 0, length), length, "application/octet-stream")).eTag();
        return CompletedPart.builder().partNumber(number).eTag(etag).build();
      } finally {
        buffers.give(full);
      }
    }));
  }

  /** A buffer to fill: a free or new one, or the oldest part's once it is sent. Fails as soon as a part failed. */
  private byte[] nextBuffer() throws IOException {
    while (!sending.isEmpty() && sending.peek().isDone()) {
      collectOldest();
    }
    byte[] buffer = buffers.take();
    while (buffer == null) {
      // every buffer is in a part being sent, each returns its buffer before its future completes
      collectOldest();
      buffer = buffers.take();
    }
    return buffer;
  }

  private void collectOldest() throws IOException {
    Future<CompletedPart> oldest = sending.poll();
    if (oldest == null) {
      throw new IllegalStateException("no part is being sent, yet no buffer is free");
    }
    try {
      parts.add(oldest.get());
    } catch (ExecutionException e) {
      abort();
      RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e);
      throw new IOException(ObjectStoreException.of("upload of part " + (parts.size() + 1) + " of s3://" + bucket
          + "/" + key, bucket, cause));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abort();
      throw new IOException("interrupted while uploading s3://" + bucket + "/" + key, e);
    }
  }

  /** Sends what is buffered as the last part and makes the object; returns its size. */
  public Uploaded complete() throws IOException {
    ensureOpen();
    if (filled > 0 || partsSubmitted == 0) {
      send();
    }
    while (!sending.isEmpty()) {
      collectOldest();
    }
    try {
      s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
          .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
    } catch (RuntimeException e) {
      abort();
      throw new IOException(ObjectStoreException.of("completing s3://" + bucket + "/" + key, bucket, e));
    }
    finished = true;
    senders.shutdown();
    return new Uploaded(bucket, key, size, parts.size());
  }

  /** Drops the upload and its parts; nothing of it stays in the bucket. Idempotent. */
  public void abort() {
    if (finished) {
      return;
    }
    finished = true;
    senders.shutdownNow();
    try {
      // a part still being sent could land after the abort and stay in the bucket, unseen
      senders.awaitTermination(ABORT_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
    } catch (RuntimeException ignored) {
      // the store is unreachable: it expires incomplete uploads by its lifecycle rules
    }
  }

  /** The most part buffers this upload ever held at once (its own accounting, for tests and benchmarks). */
  public int partsHeldAtOnce() {
    return buffers.allocated();
  }

  private void ensureOpen() throws IOException {
    if (finished) {
      throw new IOException("the upload of s3://" + bucket + "/" + key + " is finished");
    }
  }

  /** A finished object. */
  public record Uploaded(String bucket, String key, long size, int parts) {}
}
