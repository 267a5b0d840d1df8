package dev.etcdoperator.backup;

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
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * An S3 multipart upload written as a stream: bytes fill one part buffer of {@code partSize}; a full buffer is
 * uploaded before more is accepted, so memory stays at one part whatever the object's size (the writer waits
 * meanwhile). Computes the SHA-256 and size on the way. {@link #complete} finishes the object; {@link #abort} (or a
 * failed part) removes every uploaded part, so a failed upload leaves nothing behind.
 */
public final class MultipartUpload extends OutputStream {
  private final S3Client s3;
  private final String bucket;
  private final String key;
  private final String uploadId;
  private final byte[] buffer;
  private final MessageDigest sha256;
  private final List<CompletedPart> parts = new ArrayList<>();
  private int filled;
  private long size;
  private int partsHeldAtOnce;
  private boolean finished;

  MultipartUpload(S3Client s3, String bucket, String key, Map<String, String> metadata,
      Optional<ObjectStore.Encryption> sse, int partSize) {
    if (partSize < ObjectStore.MIN_PART_SIZE) {
      throw new IllegalArgumentException("S3 parts are at least 5 MiB, got " + partSize);
    }
    this.s3 = s3;
    this.bucket = bucket;
    this.key = key;
    this.buffer = new byte[partSize];
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
      int n = Math.min(length - written, buffer.length - filled);
      System.arraycopy(bytes, offset + written, buffer, filled, n);
      filled += n;
      written += n;
      if (filled == buffer.length) {
        uploadPart();
      }
    }
  }

  private void uploadPart() throws IOException {
    partsHeldAtOnce = Math.max(partsHeldAtOnce, 1);
    int number = parts.size() + 1;
    try {
      int length = filled;
      // Straight from the one buffer: no copy, so one part is all this upload ever holds.
      String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(number)
          .contentLength((long) length), RequestBody.fromContentProvider(
              () -> new ByteArrayInputStream(buffer, 0, length), length, "application/octet-stream")).eTag();
      parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
      filled = 0;
    } catch (RuntimeException e) {
      abort();
      throw new IOException(ObjectStoreException.of("upload of part " + number + " of s3://" + bucket + "/" + key,
          bucket, e));
    }
  }

  /** Uploads what is buffered as the last part and makes the object; returns its size and SHA-256. */
  public Uploaded complete() throws IOException {
    ensureOpen();
    if (filled > 0 || parts.isEmpty()) {
      uploadPart();
    }
    try {
      s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
          .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
    } catch (RuntimeException e) {
      abort();
      throw new IOException(ObjectStoreException.of("completing s3://" + bucket + "/" + key, bucket, e));
    }
    finished = true;
    return new Uploaded(bucket, key, size, HexFormat.of().formatHex(sha256.digest()), parts.size());
  }

  /** Drops the upload and its parts; nothing of it stays in the bucket. Idempotent. */
  public void abort() {
    if (finished) {
      return;
    }
    finished = true;
    try {
      s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
    } catch (RuntimeException ignored) {
      // the store is unreachable: it expires incomplete uploads by its lifecycle rules
    }
  }

  /** The most parts this upload ever held in memory at once (its own accounting, for tests and benchmarks). */
  public int partsHeldAtOnce() {
    return partsHeldAtOnce;
  }

  private void ensureOpen() throws IOException {
    if (finished) {
      throw new IOException("the upload of s3://" + bucket + "/" + key + " is finished");
    }
  }

  /** A finished object. */
  public record Uploaded(String bucket, String key, long size, String sha256, int parts) {}
}
