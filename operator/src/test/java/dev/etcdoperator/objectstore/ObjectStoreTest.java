package dev.etcdoperator.objectstore;

import dev.etcdoperator.testing.RecordingRelay;
import dev.etcdoperator.testing.S3ProxyServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Operations on stored snapshots against a real S3 server (S3Proxy). */
class ObjectStoreTest {
  private static final String BUCKET = "objects";
  private static S3ProxyServer s3;

  @BeforeAll
  static void start() throws Exception {
    s3 = new S3ProxyServer();
    s3.createBucket(BUCKET);
  }

  @AfterAll
  static void stop() throws Exception {
    s3.close();
  }

  @Test
  void onlyTheUnfinishedUploadsOfTheGivenKeysAreAborted() {
    try (ObjectStore store = ObjectStore.connect(s3.settings(S3ProxyServer.ACCESS_KEY))) {
      MultipartUpload mine = store.upload(BUCKET, "ns/c/1-mine.db", Map.of(), Optional.empty(),
          ObjectStore.MIN_PART_SIZE);
      MultipartUpload other = store.upload(BUCKET, "ns/c/1-other.db", Map.of(), Optional.empty(),
          ObjectStore.MIN_PART_SIZE);
      assertThat(store.abortIncompleteUploads(BUCKET, "ns/c/", key -> key.endsWith("-mine.db"))).isEqualTo(1);
      assertThat(store.incompleteUploads(BUCKET, "ns/c/1-mine")).isZero();
      assertThat(store.incompleteUploads(BUCKET, "ns/c/1-other")).isEqualTo(1);
      other.abort();
      mine.abort();
    }
  }

  /**
   * S3Proxy stores objects unencrypted whatever it is asked, so what can be checked here is the request on the wire:
   * the upload asks for it, with the KMS key.
   */
  @Test
  void encryptionIsAskedForByTheUpload() throws Exception {
    ObjectStore.Encryption kms = new ObjectStore.Encryption(true, Optional.of("alias/etcd-backups"));
    try (RecordingRelay relay = new RecordingRelay(s3.endpoint());
        ObjectStore store = ObjectStore.connect(new ObjectStore.Settings("us-east-1", Optional.of(relay.endpoint()),
            true, s3.settings(S3ProxyServer.ACCESS_KEY).credentials()))) {
      MultipartUpload upload = store.upload(BUCKET, "sse.db", Map.of(), Optional.of(kms), ObjectStore.MIN_PART_SIZE);
      upload.write("snapshot".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      upload.complete();

      assertThat(relay.requests()).filteredOn(r -> r.method().equals("POST") && r.target().endsWith("?uploads"))
          .singleElement().satisfies(RecordingRelayAssertions::asksForKms);
    }
  }

  /** What an encrypted write carries. */
  private static final class RecordingRelayAssertions {
    static void asksForKms(RecordingRelay.Request request) {
      assertThat(request.headers()).containsEntry("x-amz-server-side-encryption", "aws:kms")
          .containsEntry("x-amz-server-side-encryption-aws-kms-key-id", "alias/etcd-backups");
    }
  }

  /** An endpoint that accepts connections and never answers: a bounded store gives up, as a retryable failure. */
  @Test
  void aBoundedCallToAnEndpointThatNeverAnswersGivesUp() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      ObjectStore.Settings settings = new ObjectStore.Settings("us-east-1",
          Optional.of(URI.create("http://127.0.0.1:" + silent.getLocalPort())), true,
          Optional.of(new ObjectStore.Credentials(S3ProxyServer.ACCESS_KEY, "secret", Optional.empty())));
      try (ObjectStore store = ObjectStore.connect(settings, Duration.ofSeconds(1))) {
        assertThatThrownBy(() -> store.head(BUCKET, "any.db")).isInstanceOfSatisfying(ObjectStoreException.class,
            e -> assertThat(e.retryable()).isTrue());
      }
    }
  }

  @Test
  void deletingRemovesTheObjectAndDeletingAgainIsFine() {
    s3.put(BUCKET, "gone.db", new byte[] {1, 2, 3});
    try (ObjectStore store = ObjectStore.connect(s3.settings(S3ProxyServer.ACCESS_KEY))) {
      store.delete(BUCKET, "gone.db");
      assertThat(store.head(BUCKET, "gone.db")).isEmpty();
      store.delete(BUCKET, "gone.db");
    }
  }
}
