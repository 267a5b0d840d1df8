package dev.etcdoperator.backup;

import dev.etcdoperator.testing.S3ProxyServer;
import dev.etcdoperator.objectstore.ObjectStore;
import dev.etcdoperator.objectstore.MultipartUpload;
import dev.etcdoperator.etcd.EtcdClient;
import dev.etcdoperator.etcd.EtcdConnection;
import dev.etcdoperator.etcd.SnapshotSource;
import dev.etcdoperator.testing.EtcdProcessCluster;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Backup throughput, printed side by side in one run: the operator's path (a snapshot streamed from etcd straight
 * into a multipart upload) and the usual manual one ({@code etcdctl snapshot save} to a file, then an upload of
 * that file), against a real etcd member and S3Proxy on this machine. Asserts nothing; run with
 * {@code ./mvnw -q -Pbench -pl operator -am verify -DskipTests}.
 */
public final class BackupBenchmark {
  private static final int KEYS = 60_000;
  private static final int VALUE_BYTES = 1536;
  private static final int RUNS = 3;
  private static final int PART_SIZE = 2 * ObjectStore.MIN_PART_SIZE;

  private BackupBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("backup-benchmark");
    try (EtcdProcessCluster etcd = EtcdProcessCluster.builder(dir.resolve("etcd")).members(1).namePrefix("bench")
        .start();
        S3ProxyServer s3 = new S3ProxyServer();
        EtcdClient client = EtcdClient.connect(EtcdConnection.plain(etcd.clientUrls(), Duration.ofSeconds(10)));
        ObjectStore store = ObjectStore.connect(s3.settings(S3ProxyServer.ACCESS_KEY));
        S3Client plainS3 = S3Client.builder().region(Region.US_EAST_1).endpointOverride(s3.endpoint())
            .forcePathStyle(true).credentialsProvider(StaticCredentialsProvider.create(
                AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY))).build()) {
      s3.createBucket("bench");
      fill(etcd);
      SnapshotStreaming streaming = new SnapshotStreaming(PART_SIZE, Duration.ofMinutes(10));
      List<String> rows = new ArrayList<>();
      for (int run = 1; run <= RUNS; run++) {
        String streamedKey = "streamed-" + run + ".db";
        String savedKey = "saved-" + run + ".db";
        SnapshotSource source = client.snapshotSource(etcd.clientUrl(0));
        long heapBefore = heapAfterGc();
        long start = System.nanoTime();
        SnapshotStreaming.StoredSnapshot stored = streaming.stream(client, source, "bench/bench", store,
            new SnapshotStreaming.Target("bench", streamedKey, Optional.empty()));
        double streamed = seconds(start);
        long heapPeak = heapPeak() - heapBefore;
        // The metadata write at the end (SHA-256 and size) is a server-side copy: timed again on its own.
        long copyStart = System.nanoTime();
        store.replaceMetadata("bench", streamedKey, stored.sizeBytes(), java.util.Map.of("sha256", stored.sha256()),
            Optional.empty());
        double copied = seconds(copyStart);

        Path file = dir.resolve(savedKey);
        start = System.nanoTime();
        etcdctlSave(etcd, file);
        double saved = seconds(start);
        long uploadStart = System.nanoTime();
        plainS3.putObject(b -> b.bucket("bench").key(savedKey), RequestBody.fromFile(file));
        double uploaded = seconds(uploadStart);
        long size = Files.size(file);
        Files.delete(file);

        rows.add(String.format("%-4d %10.1f %10.2f %9.1f %9.2f %9.0f %12.2f %8.2f %9.2f %9.1f", run,
            mb(stored.sizeBytes()), streamed, mb(stored.sizeBytes()) / streamed, copied, mb(heapPeak), saved,
            uploaded, saved + uploaded,
            mb(size) / (saved + uploaded)));
        store.delete("bench", streamedKey);
        plainS3.deleteObject(b -> b.bucket("bench").key(savedKey));
      }
      System.out.println();
      System.out.printf("etcd-operator backup benchmark: %d keys of %d bytes, one etcd member, S3Proxy in this JVM, "
          + "%d MiB parts%n", KEYS, VALUE_BYTES, PART_SIZE / (1024 * 1024));
      System.out.println("           operator: stream to S3                             |  etcdctl snapshot save + upload "
          + "of the file");
      System.out.println("run    size MB   seconds      MB/s  (copy s) heap+ MB |  save s (etcdctl) upload s   total s"
          + "      MB/s");
      rows.forEach(System.out::println);
      System.out.printf("snapshot bytes the operator holds per backup: at most %d parts of %d MiB (the one filling and "
          + "the one being sent), whatever the database size (its own accounting); etcdctl needs a local file of the "
          + "whole database.%n", MultipartUpload.MAX_PARTS_HELD, PART_SIZE / (1024 * 1024));
      System.out.println("heap+ MB: peak heap growth of this JVM while streaming; it includes S3Proxy, which runs in "
          + "this JVM and keeps every object it stores in memory (about the snapshot's size).");
    } finally {
      deleteRecursively(dir);
    }
  }

  private static void fill(EtcdProcessCluster etcd) throws Exception {
    byte[] value = new byte[VALUE_BYTES];
    java.util.Arrays.fill(value, (byte) 'x');
    try (Client writer = Client.builder().endpoints(etcd.clientUrls().toArray(java.net.URI[]::new)).build()) {
      List<CompletableFuture<?>> inFlight = new ArrayList<>();
      for (int i = 0; i < KEYS; i++) {
        inFlight.add(writer.getKVClient().put(ByteSequence.from(String.format("/bench/%07d", i),
            StandardCharsets.UTF_8), ByteSequence.from(value)));
        if (inFlight.size() == 500 || i == KEYS - 1) {
          CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
          inFlight.clear();
        }
      }
    }
  }

  private static void etcdctlSave(EtcdProcessCluster etcd, Path file) throws IOException, InterruptedException {
    Process process = new ProcessBuilder("etcdctl", "--endpoints=" + etcd.clientUrl(0), "snapshot", "save",
        file.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    process.getOutputStream().close();
    if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IOException("etcdctl snapshot save failed");
    }
  }

  private static long heapAfterGc() {
    System.gc();
    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long heapPeak() {
    return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
        .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static double mb(long bytes) {
    return bytes / 1e6;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }
}
