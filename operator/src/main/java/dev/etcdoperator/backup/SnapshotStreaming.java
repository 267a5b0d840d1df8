package dev.etcdoperator.backup;

import dev.etcdoperator.etcd.SnapshotIntegrity;
import dev.etcdoperator.objectstore.ObjectStore;
import dev.etcdoperator.objectstore.SnapshotMetadata;
import dev.etcdoperator.objectstore.ObjectStoreException;
import dev.etcdoperator.objectstore.MultipartUpload;
import dev.etcdoperator.etcd.EtcdClient;
import dev.etcdoperator.etcd.SnapshotSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A snapshot streamed from one etcd member straight into an object, with no copy on disk and a fixed number of parts
 * in memory (those in flight and the one filling); any failure (etcd, the store, or a stream whose trailing SHA-256
 * does not match) aborts the upload, so no partial or damaged object is left. The object holds etcd's stream as
 * sent, trailing hash included, which is what a restore checks it by; the object is written once (no copy in the
 * store to add a checksum known only at its end). Its user metadata says where the snapshot came from.
 */
public final class SnapshotStreaming {
  /** The part size the operator uses (the benchmark measures with it). */
  public static final int DEFAULT_PART_SIZE = 2 * ObjectStore.MIN_PART_SIZE;

  private final int partSize;
  private final int partsInFlight;
  private final Duration deadline;

  public SnapshotStreaming(int partSize, Duration deadline) {
    this(partSize, MultipartUpload.DEFAULT_PARTS_IN_FLIGHT, deadline);
  }

  /** @param partsInFlight parts sent at once; the stream holds one more buffer of {@code partSize} than that */
  public SnapshotStreaming(int partSize, int partsInFlight, Duration deadline) {
    this.partSize = partSize;
    this.partsInFlight = partsInFlight;
    this.deadline = deadline;
  }

  /** Where a snapshot goes. */
  public record Target(String bucket, String key, Optional<ObjectStore.Encryption> encryption) {
    public String location() {
      return "s3://" + bucket + "/" + key;
    }
  }

  /** A snapshot complete in the store. */
  public record StoredSnapshot(Target target, SnapshotSource source, long sizeBytes, String sha256,
      int partsHeldAtOnce) {}

  /**
   * @param cluster the {@code namespace/name} of the EtcdCluster, recorded in the object's metadata
   */
  public StoredSnapshot stream(EtcdClient etcd, SnapshotSource source, String cluster, ObjectStore store,
      Target target) {
    Map<String, String> metadata = Map.of(SnapshotMetadata.REVISION, Long.toString(source.revision()),
        SnapshotMetadata.VERSION, source.etcdVersion(), SnapshotMetadata.CLUSTER_ID, source.clusterIdHex(),
        SnapshotMetadata.SOURCE, cluster);
    MultipartUpload upload = store.upload(target.bucket(), target.key(), metadata, target.encryption(), partSize,
        partsInFlight);
    SnapshotIntegrity integrity = new SnapshotIntegrity(upload);
    try {
      etcd.snapshot(source.endpoint(), integrity, deadline);
      integrity.verify();
      upload.complete();
    } catch (IOException | RuntimeException e) {
      upload.abort();
      // A part that failed to upload fails etcd's stream too: the store's failure is the one to report.
      throw storeFailure(e).<RuntimeException>map(f -> f)
          .orElseGet(() -> e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e);
    }
    return new StoredSnapshot(target, source, integrity.size(), integrity.streamSha256(), upload.partsHeldAtOnce());
  }

  private static Optional<ObjectStoreException> storeFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ObjectStoreException e) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }
}
