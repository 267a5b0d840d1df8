package dev.etcdoperator.backup;

import dev.etcdoperator.etcd.EtcdClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * A snapshot streamed from one etcd member straight into an object, with no copy on disk and one part in memory;
 * any failure (etcd or the store) aborts the upload, so no partial object is left.
 */
public final class SnapshotStreaming {
  private final int partSize;
  private final Duration deadline;

  public SnapshotStreaming(int partSize, Duration deadline) {
    this.partSize = partSize;
    this.deadline = deadline;
  }

  public MultipartUpload.Uploaded stream(EtcdClient etcd, URI member, ObjectStore store, String bucket, String key,
      Map<String, String> metadata) {
    MultipartUpload upload = store.upload(bucket, key, metadata, partSize);
    try {
      etcd.snapshot(member, upload, deadline);
      return upload.complete();
    } catch (IOException e) {
      upload.abort();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      upload.abort();
      throw e;
    }
  }
}
