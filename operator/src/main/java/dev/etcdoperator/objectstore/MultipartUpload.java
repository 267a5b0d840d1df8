package dev.etcdoperator.objectstore;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * An S3 multipart upload written as a stream. Bytes fill a part buffer of {@code partSize}; a full buffer is
 * uploaded in the background while the next one fills, so receiving from etcd and sending to the store overlap.
 * At most two buffers exist, whatever the object's size: a writer that fills the second before the first is sent
 * waits. Computes the SHA-256 and size on the way. {@link #complete} finishes the object; {@link #abort} (or a failed
 * part) removes every uploaded part, so a failed upload leaves nothing behind.
 */
public final class MultipartUpload extends OutputStream {
  /** Part buffers an upload holds at most: the one filling and the one being sent. */
  public static final int MAX_PARTS_HELD = 2;

  private final S3Client s3;
  private final String bucket;
  private final String key;
  private final String uploadId;
  private final int partSize;
  private final MessageDigest sha256;
  private final List<CompletedPart> parts = new ArrayList<>();
  private final ExecutorService sender;
  private byte[] filling;
  private byte[] sending;
  private Future<CompletedPart> inFlight;
  private int filled;
  private long size;
  private int partsSubmitted;
  private int buffersAllocated;
  private boolean finished;

  MultipartUpload(S3Client s3, String bucket, String key, Map<String, String> metadata,
      Optional<ObjectStore.Encryption> sse, int partSize) {
    if (partSize < ObjectStore.MIN_PART_SIZE) {
      throw new IllegalArgumentException("S3 parts are at least 5 MiB, got " + partSize);
    }
    this.s3 = s3;
    this.bucket = bucket;
    this.key = key;
    this.partSize = partSize;
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try {
      this.uploadId = s3.createMultipartUpload(b -> {
        b.bucket(bucket).key(key).metadata(metadata);
        ObjectStore.Encryption.apply(sse, (type, keyId) -> b.serverSideEncryption(type).ssekmsKeyId(keyId));
      }).uploadId();
    } catch (RuntimeException e) {
      throw ObjectStoreException.of("upload of s3://" + bucket + "/" + key, bucket, e);
    }
    this.sender = Executors.newSingleThreadExecutor(task -> {
      Thread thread = new Thread(task, "snapshot-upload " + key);
      thread.setDaemon(true);
      return thread;
    });
    this.filling = allocate();
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    ensureOpen();
    sha256.update(bytes, offset, length);
    size += length;
    int written = 0;
    while (written < length) {
      int n = Math.min(length - written, filling.length - filled);
      System.arraycopy(bytes, offset + written, filling, filled, n);
      filled += n;
      written += n;
      if (filled == filling.length) {
        send();
      }
    }
  }

  /** Hands the filled buffer to the sender once the previous part is out, and fills the other one meanwhile. */
  private void send() throws IOException {
    awaitInFlight();
    byte[] full = filling;
    int length = filled;
    int number = ++partsSubmitted;
    filling = sending != null ? sending : allocate();
    sending = full;
    filled = 0;
    inFlight = sender.submit(() -> {
      String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(number)
          .contentLength((long) length), RequestBody.fromContentProvider(
              () -> new ByteArrayInputStream(full, 0, length), length, "application/octet-stream")).eTag();
      return CompletedPart.builder().partNumber(number).eTag(etag).build();
    });
  }

  private void awaitInFlight() throws IOException {
    if (inFlight == null) {
      return;
    }
    try {
      parts.add(inFlight.get());
      inFlight = null;
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

  private byte[] allocate() {
    buffersAllocated++;
    return new byte[partSize];
  }

  /** Sends what is buffered as the last part and makes the object; returns its size and SHA-256. */
  public Uploaded complete() throws IOException {
    ensureOpen();
    if (filled > 0 || partsSubmitted == 0) {
      send();
    }
    awaitInFlight();
    try {
      s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
          .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
    } catch (RuntimeException e) {
      abort();
      throw new IOException(ObjectStoreException.of("completing s3://" + bucket + "/" + key, bucket, e));
    }
    finished = true;
    sender.shutdown();
    return new Uploaded(bucket, key, size, HexFormat.of().formatHex(sha256.digest()), parts.size());
  }

  /** Drops the upload and its parts; nothing of it stays in the bucket. Idempotent. */
  public void abort() {
    if (finished) {
      return;
    }
    finished = true;
    sender.shutdownNow();
    try {
      s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
    } catch (RuntimeException ignored) {
      // the store is unreachable: it expires incomplete uploads by its lifecycle rules
    }
  }

  /** The most part buffers this upload ever held at once (its own accounting, for tests and benchmarks). */
  public int partsHeldAtOnce() {
    return buffersAllocated;
  }

  private void ensureOpen() throws IOException {
    if (finished) {
      throw new IOException("the upload of s3://" + bucket + "/" + key + " is finished");
    }
  }

  /** A finished object. */
  public record Uploaded(String bucket, String key, long size, String sha256, int parts) {}
}
