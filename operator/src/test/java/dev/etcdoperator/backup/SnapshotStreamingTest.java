package dev.etcdoperator.backup;

import dev.etcdoperator.etcd.SnapshotIntegrity;
import dev.etcdoperator.testing.S3ProxyServer;
import dev.etcdoperator.objectstore.ObjectStore;
import dev.etcdoperator.objectstore.SnapshotMetadata;
import dev.etcdoperator.objectstore.ObjectStoreException;
import dev.etcdoperator.objectstore.MultipartUpload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.etcdoperator.etcd.EtcdClient;
import dev.etcdoperator.etcd.EtcdConnection;
import dev.etcdoperator.etcd.SnapshotSource;
import dev.etcdoperator.testing.EtcdProcessCluster;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots of a real etcd member streamed into a real S3 server (S3Proxy): the object holds exactly the bytes etcd
 * sent, its size and SHA-256 match, one part at a time is held in memory, and failures leave nothing behind.
 */
class SnapshotStreamingTest {
  private static final String BUCKET = "snapshots";
  private static final int KEYS = 100_000;
  private static EtcdProcessCluster etcd;
  private static EtcdClient client;
  private static S3ProxyServer s3;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    etcd = EtcdProcessCluster.builder(dir).members(1).namePrefix("snap").start();
    client = EtcdClient.connect(EtcdConnection.plain(etcd.clientUrls(), Duration.ofSeconds(5)));
    try (Client writer = Client.builder().endpoints(etcd.clientUrls().toArray(java.net.URI[]::new)).build()) {
      List<CompletableFuture<?>> inFlight = new ArrayList<>();
      for (int i = 0; i < KEYS; i++) {
        inFlight.add(writer.getKVClient().put(bytes(String.format("/data/%06d", i)), bytes("value-" + i)));
        if (inFlight.size() == 1000 || i == KEYS - 1) {
          CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
          inFlight.clear();
        }
      }
    }
    s3 = new S3ProxyServer();
    s3.createBucket(BUCKET);
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (etcd != null) {
      etcd.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  private static SnapshotStreaming.Target target(String key) {
    return new SnapshotStreaming.Target(BUCKET, key, Optional.empty());
  }

  private static SnapshotSource source() {
    return client.snapshotSource(etcd.clientUrl(0));
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  @Test
  void aSnapshotOfOneHundredThousandKeysLandsWholeWithItsSizeAndSha256() throws Exception {
    SnapshotStreaming streaming = new SnapshotStreaming(ObjectStore.MIN_PART_SIZE, Duration.ofMinutes(2));
    try (ObjectStore store = ObjectStore.connect(s3.settings(S3ProxyServer.ACCESS_KEY))) {
      SnapshotSource source = client.snapshotSource(etcd.clientUrl(0));
      SnapshotStreaming.StoredSnapshot uploaded = streaming.stream(client, source, "ns/main", store,
          target("ns/main/snapshot-1.db"));

      byte[] stored = s3.read(BUCKET, "ns/main/snapshot-1.db");
      assertThat((long) stored.length).isEqualTo(uploaded.sizeBytes()).isGreaterThan((long) ObjectStore.MIN_PART_SIZE);
      assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(stored)))
          .isEqualTo(uploaded.sha256());
      assertThat(uploaded.partsHeldAtOnce()).isLessThanOrEqualTo(MultipartUpload.MAX_PARTS_HELD);
      byte[] database = java.util.Arrays.copyOf(stored, stored.length - SnapshotIntegrity.HASH_LENGTH);
      assertThat(java.util.Arrays.copyOfRange(stored, database.length, stored.length))
          .as("etcd's trailing SHA-256 of the database is kept, so etcdutl can check it again")
          .isEqualTo(MessageDigest.getInstance("SHA-256").digest(database));
      // a bbolt database starts with its meta pages: magic 0xED0CDAED at offset 16 of page 0 (little endian)
      assertThat(HexFormat.of().formatHex(stored, 16, 20)).isEqualTo("edda0ced");
      assertThat(source.revision()).as("every key written before").isGreaterThan(KEYS);
      assertThat(source.etcdVersion()).startsWith("3.");
      assertThat(store.head(BUCKET, "ns/main/snapshot-1.db")).hasValueSatisfying(o -> {
        assertThat(o.size()).isEqualTo(uploaded.sizeBytes());
        assertThat(o.metadata()).as("the origin, set as the upload starts: the object is written once")
            .containsOnlyKeys(SnapshotMetadata.REVISION, SnapshotMetadata.VERSION, SnapshotMetadata.CLUSTER_ID,
                SnapshotMetadata.SOURCE)
            .containsEntry(SnapshotMetadata.REVISION, Long.toString(source.revision()))
            .containsEntry(SnapshotMetadata.VERSION, source.etcdVersion())
            .containsEntry(SnapshotMetadata.CLUSTER_ID, source.clusterIdHex())
            .containsEntry(SnapshotMetadata.SOURCE, "ns/main");
      });
      assertThat(store.incompleteUploads(BUCKET, "ns/")).isZero();
    }
  }

  @Test
  void theUploaderHoldsItsPartsInFlightPlusOneWhateverTheSizeAndKeepsTheirOrder() throws Exception {
    byte[] chunk = new byte[64 * 1024];
    new java.util.Random(3).nextBytes(chunk);
    long total = 8L * ObjectStore.MIN_PART_SIZE + 12_345;
    int partsInFlight = 3;
    try (ObjectStore store = ObjectStore.connect(s3.settings(S3ProxyServer.ACCESS_KEY))) {
      MultipartUpload upload = store.upload(BUCKET, "ns/main/memory.db", Map.of(), Optional.empty(),
          ObjectStore.MIN_PART_SIZE, partsInFlight);
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      long written = 0;
      for (int k = 0; written < total; k++) {
        // each chunk differs, so parts stored out of order would not give the same hash
        chunk[0] = (byte) k;
        int n = (int) Math.min(chunk.length, total - written);
        upload.write(chunk, 0, n);
        digest.update(chunk, 0, n);
        written += n;
      }
      MultipartUpload.Uploaded uploaded = upload.complete();
      assertThat(uploaded.parts()).isEqualTo(9);
      assertThat(uploaded.size()).isEqualTo(total);
      assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
          s3.read(BUCKET, "ns/main/memory.db")))).isEqualTo(HexFormat.of().formatHex(digest.digest()));
      assertThat(upload.partsHeldAtOnce()).as("part buffers, whatever the size")
          .isBetween(1, partsInFlight + 1);
    }
  }

  @Test
  void aFailedSnapshotLeavesNoObjectAndNoIncompleteUpload() throws Exception {
    SnapshotStreaming streaming = new SnapshotStreaming(ObjectStore.MIN_PART_SIZE, Duration.ofMillis(1));
    try (ObjectStore store = ObjectStore.connect(s3.settings(S3ProxyServer.ACCESS_KEY))) {
      assertThatThrownBy(() -> streaming.stream(client, source(), "ns/main", store,
          target("ns/main/failed.db"))).hasMessageContaining("snapshot");
      assertThat(store.head(BUCKET, "ns/main/failed.db")).isEmpty();
      assertThat(store.incompleteUploads(BUCKET, "ns/main/failed")).isZero();
    }
  }

  @Test
  void anUnreachableStoreIsReportedAsSuchAndWorthRetrying() {
    SnapshotStreaming streaming = new SnapshotStreaming(ObjectStore.MIN_PART_SIZE, Duration.ofMinutes(1));
    ObjectStore.Settings nowhere = new ObjectStore.Settings("us-east-1",
        java.util.Optional.of(java.net.URI.create("http://127.0.0.1:1")), true, s3.settings("x").credentials());
    try (ObjectStore store = ObjectStore.connect(nowhere)) {
      assertThatThrownBy(() -> streaming.stream(client, source(), "ns/main", store, target("x.db")))
          .isInstanceOf(ObjectStoreException.class)
          .hasMessageStartingWith("upload of s3://snapshots/x.db failed: the store could not be reached: ")
          .satisfies(e -> assertThat(((ObjectStoreException) e).retryable()).isTrue());
    }
  }

  @Test
  void wrongCredentialsOrAMissingBucketAreRefusedBeforeAnythingIsWritten() throws Exception {
    SnapshotStreaming streaming = new SnapshotStreaming(ObjectStore.MIN_PART_SIZE, Duration.ofMinutes(1));
    try (ObjectStore wrong = ObjectStore.connect(s3.settings("not-the-key"));
        ObjectStore store = ObjectStore.connect(s3.settings(S3ProxyServer.ACCESS_KEY))) {
      assertThatThrownBy(() -> streaming.stream(client, source(), "ns/main", wrong, target("ns/main/x.db")))
          .isInstanceOf(ObjectStoreException.class)
          .hasMessage("upload of s3://snapshots/ns/main/x.db failed: access to bucket snapshots denied "
              + "(InvalidAccessKeyId): check the credentials and the bucket policy");
      assertThatThrownBy(() -> streaming.stream(client, source(), "ns/main", store,
          new SnapshotStreaming.Target("no-such-bucket", "x.db", Optional.empty()))).isInstanceOf(ObjectStoreException.class)
          .hasMessage("upload of s3://no-such-bucket/x.db failed: bucket no-such-bucket does not exist")
          .satisfies(e -> assertThat(((ObjectStoreException) e).retryable()).isFalse());
      assertThat(store.head(BUCKET, "ns/main/x.db")).isEmpty();
    }
  }
}
