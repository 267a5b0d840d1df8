package dev.etcdoperator.backup;

import dev.etcdoperator.testing.S3ProxyServer;
import dev.etcdoperator.objectstore.ObjectStore;
import dev.etcdoperator.objectstore.ObjectStoreException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.etcdoperator.etcd.EtcdClient;
import dev.etcdoperator.etcd.SnapshotIntegrity;
import dev.etcdoperator.etcd.EtcdConnection;
import dev.etcdoperator.testing.EtcdProcessCluster;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup is only a backup if it restores: a snapshot streamed to S3Proxy, read back with its SHA-256 checked, and
 * restored into every member of a new three-member cluster (etcdctl snapshot restore, the tool of etcd 3.4) holds
 * exactly the keys and values of the source; a corrupted copy is caught by its checksum and refused by etcd's own
 * restore.
 */
class SnapshotRestoreTest {
  private static final String BUCKET = "restore";
  private static final String KEY = "ns/src/snapshot.db";
  private static S3ProxyServer s3;
  private static ObjectStore store;
  private static Map<String, String> written;
  private static SnapshotStreaming.StoredSnapshot stored;

  /** One source cluster with data, backed up once to S3Proxy; the tests restore from that backup. */
  @BeforeAll
  static void backUp(@TempDir Path dir) throws Exception {
    s3 = new S3ProxyServer();
    s3.createBucket(BUCKET);
    store = ObjectStore.connect(s3.settings(S3ProxyServer.ACCESS_KEY));
    try (EtcdProcessCluster source = EtcdProcessCluster.builder(dir.resolve("source")).members(1).namePrefix("src")
        .start();
        EtcdClient client = EtcdClient.connect(EtcdConnection.plain(source.clientUrls(), Duration.ofSeconds(10)))) {
      written = write(source);
      stored = new SnapshotStreaming(ObjectStore.MIN_PART_SIZE, Duration.ofMinutes(2)).stream(client,
          client.snapshotSource(source.clientUrl(0)), "ns/src", store,
          new SnapshotStreaming.Target(BUCKET, KEY, Optional.empty()));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (store != null) {
      store.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void aClusterRestoredFromABackupHoldsExactlyTheSameKeysAndValues(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("snapshot.db");
    SnapshotIntegrity downloaded;
    try (OutputStream out = Files.newOutputStream(file)) {
      downloaded = new SnapshotIntegrity(out);
      assertThat(store.download(BUCKET, KEY, downloaded)).isEqualTo(stored.sizeBytes());
    }
    downloaded.verify();
    assertThat(downloaded.streamSha256()).as("what the backup's status records").isEqualTo(stored.sha256());

    try (EtcdProcessCluster restored = EtcdProcessCluster.builder(dir.resolve("restored")).members(3)
        .namePrefix("restored").restoredFrom(file).start();
        EtcdClient restoredClient = EtcdClient.connect(EtcdConnection.plain(restored.clientUrls(),
            Duration.ofSeconds(10)))) {
      for (int member = 0; member < 3; member++) {
        assertThat(read(restored.clientUrl(member))).as("keys and values on restored member %d", member)
            .isEqualTo(written);
      }
      assertThat(restoredClient.snapshotSource(restored.clientUrl(0)).clusterId())
          .as("a restore makes a new logical cluster").isNotEqualTo(stored.source().clusterId());
    }
  }

  @Test
  void aCorruptedSnapshotIsCaughtByItsOwnTrailingHashAndRefusedByEtcd(@TempDir Path dir) throws Exception {
    byte[] bytes = s3.read(BUCKET, KEY);
    bytes[bytes.length / 2] ^= 0x01; // one flipped bit, as a bad disk or a truncated copy would leave
    s3.put(BUCKET, "ns/src/bad.db", bytes);

    Path file = dir.resolve("bad.db");
    try (OutputStream out = Files.newOutputStream(file)) {
      SnapshotIntegrity downloaded = new SnapshotIntegrity(out);
      store.download(BUCKET, "ns/src/bad.db", downloaded);
      assertThatThrownBy(downloaded::verify).isInstanceOf(SnapshotIntegrity.SnapshotCorrupt.class);
    }
    assertThatThrownBy(() -> EtcdProcessCluster.builder(dir.resolve("restored")).members(1)
        .namePrefix("restored").restoredFrom(file).start())
        .hasMessageContaining("etcdctl snapshot restore for restored-0 failed").hasMessageContaining("sha256");
    try (OutputStream out = Files.newOutputStream(dir.resolve("missing.db"))) {
      assertThatThrownBy(() -> store.download(BUCKET, "ns/src/missing.db", out))
          .isInstanceOf(ObjectStoreException.class)
          .hasMessage("download of s3://restore/ns/src/missing.db failed: the object does not exist");
    }
  }

  /** Writes, overwrites and deletes keys, so the restored state is more than a list of first writes. */
  private static Map<String, String> write(EtcdProcessCluster etcd) throws Exception {
    try (Client client = Client.builder().endpoints(etcd.clientUrls().toArray(java.net.URI[]::new)).build()) {
      List<CompletableFuture<?>> inFlight = new ArrayList<>();
      for (int i = 0; i < 5_000; i++) {
        inFlight.add(client.getKVClient().put(bytes(String.format("/data/%05d", i)), bytes("v1-" + i)));
      }
      CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(1, TimeUnit.MINUTES);
      inFlight.clear();
      for (int i = 0; i < 5_000; i += 3) {
        inFlight.add(client.getKVClient().put(bytes(String.format("/data/%05d", i)), bytes("v2-" + i)));
      }
      for (int i = 1; i < 5_000; i += 7) {
        inFlight.add(client.getKVClient().delete(bytes(String.format("/data/%05d", i))));
      }
      CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(1, TimeUnit.MINUTES);
    }
    return read(etcd.clientUrl(0));
  }

  private static Map<String, String> read(java.net.URI endpoint) throws Exception {
    try (Client client = Client.builder().endpoints(endpoint).build()) {
      Map<String, String> all = new TreeMap<>();
      for (KeyValue kv : client.getKVClient().get(bytes("/"), GetOption.builder().isPrefix(true).build())
          .get(1, TimeUnit.MINUTES).getKvs()) {
        all.put(kv.getKey().toString(StandardCharsets.UTF_8), kv.getValue().toString(StandardCharsets.UTF_8));
      }
      return all;
    }
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
