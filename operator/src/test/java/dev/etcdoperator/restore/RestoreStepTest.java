package dev.etcdoperator.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.etcdoperator.testing.S3ProxyServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restore pod's own steps, as the operator renders them and against S3Proxy: the snapshot is used only when its
 * SHA-256 matches, a member's data is never overwritten, and a run repeated after a crash starts over cleanly.
 * Credentials come from the pod's environment in a real pod; here the AWS SDK's system properties stand in for it.
 */
class RestoreStepTest {
  private static final String BUCKET = "snapshots";
  private static final String KEY = "ns/main/snapshot.db";
  private static final String DAMAGED_KEY = "ns/main/damaged.db";
  private static final byte[] DATABASE = "database bytes".repeat(10_000).getBytes(StandardCharsets.UTF_8);
  /** In etcd's snapshot format: the database, then its SHA-256. */
  private static byte[] content;
  private static S3ProxyServer s3;
  private static String sha256;

  @BeforeAll
  static void start() throws Exception {
    s3 = new S3ProxyServer();
    s3.createBucket(BUCKET);
    content = withTrailingHash(DATABASE);
    s3.put(BUCKET, KEY, content);
    byte[] damaged = content.clone();
    damaged[100] ^= 0x01;
    s3.put(BUCKET, DAMAGED_KEY, damaged);
    sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    System.setProperty("aws.accessKeyId", S3ProxyServer.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", S3ProxyServer.SECRET_KEY);
  }

  @AfterAll
  static void stop() throws Exception {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    s3.close();
  }

  @Test
  void theFetchedSnapshotIsTheObjectAndWhatAnEarlierRunLeftIsGone(@TempDir Path volume) throws Exception {
    Path staging = volume.resolve("restore");
    Files.createDirectories(staging.resolve("data"));
    Files.writeString(staging.resolve("snapshot.db.part"), "left by a crashed run");

    assertThat(RestoreStep.run(args(fetch(volume, Optional.of(sha256))))).isZero();

    assertThat(Files.readAllBytes(staging.resolve("snapshot.db"))).isEqualTo(content);
    try (var left = Files.list(staging)) {
      assertThat(left.map(p -> p.getFileName().toString()).toList()).containsExactly("snapshot.db");
    }
  }

  @Test
  void aSnapshotOtherThanTheOneRecordedIsRefusedAndNotKept(@TempDir Path volume) {
    Optional<String> other = Optional.of("0".repeat(64));

    assertThat(RestoreStep.run(args(fetch(volume, other)))).isEqualTo(1);
    assertThatThrownBy(() -> RestoreStep.fetch(fetch(volume, other)))
        .hasMessage("snapshot s3://" + BUCKET + "/" + KEY + " is not the one recorded: its SHA-256 is " + sha256
            + ", expected " + other.get() + " (" + content.length + " bytes read); refusing to restore it");
    assertThat(volume.resolve("restore")).doesNotExist();
  }

  /** A snapshot saved by hand and uploaded records no checksum: etcd's own, at its end, is checked instead. */
  @Test
  void aSnapshotWithNoRecordedChecksumIsFetchedWhenItsOwnHashHolds(@TempDir Path volume) throws Exception {
    assertThat(RestoreStep.run(args(fetch(volume, Optional.empty())))).isZero();

    assertThat(Files.readAllBytes(volume.resolve("restore/snapshot.db"))).isEqualTo(content);
  }

  @Test
  void aDamagedSnapshotIsRefusedByItsOwnHashAndNotKept(@TempDir Path volume) {
    RestoreCommand.Fetch damaged = new RestoreCommand.Fetch(BUCKET, DAMAGED_KEY, Optional.empty(), "us-east-1",
        Optional.of(s3.endpoint().toString()), true, volume.resolve("restore/snapshot.db"), volume.resolve("data"));

    assertThat(RestoreStep.run(args(damaged))).isEqualTo(1);
    assertThatThrownBy(() -> RestoreStep.fetch(damaged))
        .hasMessageStartingWith("snapshot s3://" + BUCKET + "/" + DAMAGED_KEY + " is corrupt: the snapshot stream's "
            + "trailing SHA-256 ").hasMessageEndingWith("; refusing to restore it");
    assertThat(volume.resolve("restore")).doesNotExist();
  }

  @Test
  void aVolumeThatHoldsDataIsNeverRestoredOnto(@TempDir Path volume) throws Exception {
    Files.createDirectories(volume.resolve("data/member"));

    assertThatThrownBy(() -> RestoreStep.fetch(fetch(volume, Optional.of(sha256))))
        .hasMessageStartingWith("the member volume already holds etcd data in " + volume.resolve("data"));
    assertThat(volume.resolve("restore")).doesNotExist();
    assertThat(volume.resolve("data/member")).isDirectory();
  }

  @Test
  void commitMovesTheRestoredDirectoryIntoPlaceOnceAndIsSafeToRepeat(@TempDir Path volume) throws Exception {
    Path restored = volume.resolve("restore/data");
    Files.createDirectories(restored.resolve("member/snap"));
    Files.writeString(restored.resolve("member/snap/db"), "restored");
    Files.writeString(volume.resolve("restore/snapshot.db"), "fetched");
    RestoreCommand.Commit commit = new RestoreCommand.Commit(restored, volume.resolve("data"),
        volume.resolve("restore"));

    assertThat(RestoreStep.run(args(commit))).isZero();
    assertThat(volume.resolve("data/member/snap/db")).hasContent("restored");
    assertThat(volume.resolve("restore")).doesNotExist();
    // The pod may run again (its node restarted it before the kubelet recorded success): nothing changes.
    assertThat(RestoreStep.run(args(commit))).isZero();
    assertThat(volume.resolve("data/member/snap/db")).hasContent("restored");
  }

  /**
   * The restore pod of a member is made anew after its restore was committed (completed pods garbage-collected): it
   * runs through (the snapshot fetched again for the restore step) and leaves the committed data as it is.
   */
  @Test
  void aRestorePodMadeAnewAfterTheCommitSucceedsAndKeepsTheData(@TempDir Path volume) throws Exception {
    Path restored = volume.resolve("restore/data");
    Files.createDirectories(restored.resolve("member/snap"));
    Files.writeString(restored.resolve("member/snap/db"), "restored");
    RestoreCommand.Commit commit = new RestoreCommand.Commit(restored, volume.resolve("data"),
        volume.resolve("restore"));
    assertThat(RestoreStep.run(args(commit))).isZero();
    assertThat(RestoreStep.committedMarker(volume.resolve("data"))).exists();

    assertThat(RestoreStep.run(args(fetch(volume, Optional.of(sha256))))).isZero();
    Files.createDirectories(restored.resolve("member/snap"));
    Files.writeString(restored.resolve("member/snap/db"), "restored again, with a new member id");
    assertThat(RestoreStep.run(args(commit))).isZero();

    assertThat(volume.resolve("data/member/snap/db")).hasContent("restored");
    assertThat(volume.resolve("restore")).doesNotExist();
  }

  @Test
  void argumentsRoundTripAndMistakesAreNamed() {
    RestoreCommand.Fetch fetch = new RestoreCommand.Fetch("b", "k/x.db", Optional.of(sha256), "eu-west-1",
        Optional.of("https://minio:9000"), true, Path.of("/var/lib/etcd/restore/snapshot.db"),
        Path.of("/var/lib/etcd/data"));
    assertThat(RestoreCommand.parse(fetch.toArgs())).isEqualTo(fetch);
    RestoreCommand.Fetch unchecked = new RestoreCommand.Fetch("b", "k/x.db", Optional.empty(), "eu-west-1",
        Optional.empty(), false, Path.of("/s.db"), Path.of("/d"));
    assertThat(unchecked.toArgs()).noneMatch(arg -> arg.startsWith("--sha256"));
    assertThat(RestoreCommand.parse(unchecked.toArgs())).isEqualTo(unchecked);
    RestoreCommand.Commit commit = new RestoreCommand.Commit(Path.of("/a"), Path.of("/b"), Path.of("/c"));
    assertThat(RestoreCommand.parse(commit.toArgs())).isEqualTo(commit);

    assertThatThrownBy(() -> RestoreCommand.parse(List.of("commit-restore", "--restored=/a", "--data-dir=/b")))
        .hasMessage("missing --staging");
    assertThatThrownBy(() -> RestoreCommand.parse(List.of("commit-restore", "--restored=/a", "--data-dir=/b",
        "--staging=/c", "--force=true"))).hasMessage("unknown argument(s) for commit-restore: --force");
    assertThat(RestoreStep.run(new String[] {"fetch-snapshot", "--bucket=b"})).isEqualTo(1);
  }

  private static RestoreCommand.Fetch fetch(Path volume, Optional<String> expectedSha256) {
    return new RestoreCommand.Fetch(BUCKET, KEY, expectedSha256, "us-east-1", Optional.of(s3.endpoint().toString()),
        true, volume.resolve("restore/snapshot.db"), volume.resolve("data"));
  }

  private static byte[] withTrailingHash(byte[] database) throws Exception {
    byte[] hash = MessageDigest.getInstance("SHA-256").digest(database);
    byte[] snapshot = Arrays.copyOf(database, database.length + hash.length);
    System.arraycopy(hash, 0, snapshot, database.length, hash.length);
    return snapshot;
  }

  private static String[] args(RestoreCommand command) {
    return command.toArgs().toArray(String[]::new);
  }
}
