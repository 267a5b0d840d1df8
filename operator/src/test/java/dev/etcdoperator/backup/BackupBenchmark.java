package dev.etcdoperator.backup;

import dev.etcdoperator.etcd.SnapshotIntegrity;
import dev.etcdoperator.etcd.EtcdClient;
import dev.etcdoperator.etcd.EtcdConnection;
import dev.etcdoperator.etcd.SnapshotSource;
import dev.etcdoperator.objectstore.MultipartUpload;
import dev.etcdoperator.objectstore.ObjectStore;
import dev.etcdoperator.testing.EtcdProcessCluster;
import dev.etcdoperator.testing.S3ProxyServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Backup throughput, printed side by side in one run: the operator's path (a snapshot streamed from etcd straight
 * into a multipart upload, then its checksum written into the object's metadata) and the usual manual one
 * ({@code etcdctl snapshot save} to a file, then an upload of that file with the AWS SDK), against a real etcd
 * member and S3Proxy storing objects on disk, both on this machine; at each database size (live data, MiB) of
 * {@code -Dbench.backup.sizes} (default 256 and 1024), with the operator's heap growth during its backup, to show
 * that it does not follow the size. {@code -Dbench.backup.parts=10x1,16x2} compares ways of cutting the upload (MiB
 * per part x parts at once; default: the operator's). Asserts nothing; run with
 * {@code ./mvnw -q -Pbench -pl operator -am verify -DskipTests}.
 */
public final class BackupBenchmark {
  private static final long MIB = 1024 * 1024;

  private BackupBenchmark() {}

  /** How the operator's upload is cut: part size and parts sent at once. */
  private record Parts(int sizeBytes, int inFlight) {
    static Parts parse(String spec) {
      String[] p = spec.strip().split("x");
      return new Parts((int) (Integer.parseInt(p[0]) * MIB), Integer.parseInt(p[1]));
    }

    @Override
    public String toString() {
      return (sizeBytes / MIB) + "x" + inFlight;
    }
  }

  /** One backup of each kind on one database. */
  private record Run(long sizeMiB, Parts parts, long snapshotBytes, double operatorSeconds, long heapGrowth,
      double saveSeconds, double uploadSeconds) {
    double operatorMbPerSecond() {
      return mb(snapshotBytes) / operatorSeconds;
    }

    double manualMbPerSecond() {
      return mb(snapshotBytes) / (saveSeconds + uploadSeconds);
    }
  }

  public static void main(String[] args) throws Exception {
    long[] sizesMiB = Arrays.stream(System.getProperty("bench.backup.sizes", "256,1024").split(","))
        .map(String::strip).mapToLong(Long::parseLong).toArray();
    int runs = Integer.getInteger("bench.backup.runs", 2);
    List<Parts> variants = Arrays.stream(System.getProperty("bench.backup.parts",
        (SnapshotStreaming.DEFAULT_PART_SIZE / MIB) + "x" + MultipartUpload.DEFAULT_PARTS_IN_FLIGHT).split(","))
        .map(Parts::parse).toList();
    Path dir = Files.createTempDirectory("backup-benchmark");
    printHeader();
    List<Run> results = new ArrayList<>();
    try (S3ProxyServer s3 = S3ProxyServer.onDisk(Files.createDirectory(dir.resolve("s3")));
        ObjectStore store = ObjectStore.connect(s3.settings(S3ProxyServer.ACCESS_KEY));
        S3Client plainS3 = S3Client.builder().region(Region.US_EAST_1).endpointOverride(s3.endpoint())
            .forcePathStyle(true).credentialsProvider(StaticCredentialsProvider.create(
                AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY))).build()) {
      s3.createBucket("bench");
      for (long sizeMiB : sizesMiB) {
        Path etcdDir = dir.resolve("etcd-" + sizeMiB);
        try (EtcdProcessCluster etcd = BenchmarkDatabase.start(etcdDir, sizeMiB * MIB);
            EtcdClient client = EtcdClient.connect(EtcdConnection.plain(etcd.clientUrls(), Duration.ofSeconds(10)))) {
          for (int run = 1; run <= runs; run++) {
            for (Parts parts : variants) {
              // printed as it comes: a long run that fails later still shows what it measured
              Run result = run(sizeMiB, run, parts, etcd, client, store, plainS3, dir);
              printRow(result);
              results.add(result);
            }
          }
          printSplits(sizeMiB, etcd, client, store, variants);
        } finally {
          deleteRecursively(etcdDir);
        }
      }
    } finally {
      deleteRecursively(dir);
    }
    printSummary(results);
  }

  private static Run run(long sizeMiB, int run, Parts parts, EtcdProcessCluster etcd, EtcdClient client,
      ObjectStore store, S3Client plainS3, Path dir) throws Exception {
    String streamedKey = "streamed-" + sizeMiB + "-" + run + ".db";
    SnapshotStreaming streaming = new SnapshotStreaming(parts.sizeBytes(), parts.inFlight(), Duration.ofMinutes(30));
    SnapshotSource source = client.snapshotSource(etcd.clientUrl(0));
    SnapshotStreaming.StoredSnapshot stored;
    long heap;
    long start;
    double streamed;
    settle();
    try (HeapSampler sampler = HeapSampler.sampling()) {
      start = System.nanoTime();
      stored = streaming.stream(client, source, "bench/bench", store,
          new SnapshotStreaming.Target("bench", streamedKey, Optional.empty()));
      streamed = seconds(start);
      heap = sampler.growthBytes();
    }
    store.delete("bench", streamedKey);

    String savedKey = "saved-" + sizeMiB + "-" + run + ".db";
    Path file = dir.resolve(savedKey);
    settle();
    start = System.nanoTime();
    etcdctlSave(etcd, file);
    double saved = seconds(start);
    start = System.nanoTime();
    plainS3.putObject(b -> b.bucket("bench").key(savedKey), RequestBody.fromFile(file));
    double uploaded = seconds(start);
    Files.delete(file);
    plainS3.deleteObject(b -> b.bucket("bench").key(savedKey));
    return new Run(sizeMiB, parts, stored.sizeBytes(), streamed, heap, saved, uploaded);
  }

  private static void printHeader() {
    System.out.printf("%netcd-operator backup benchmark: one etcd member, values of %d KiB, S3Proxy (filesystem) in "
        + "this JVM, %d CPUs, max heap %d MiB%n", BenchmarkDatabase.VALUE_BYTES / 1024,
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / MIB);
    System.out.println("parts: MiB per part x parts sent at once. ratio: operator MB/s over etcdctl save + upload MB/s "
        + "(target >= 0.9). heap+: peak used heap of this JVM during the operator's backup over the heap after a full "
        + "GC before it (uncollected garbage included; S3Proxy's share too: it runs in this JVM, its objects are "
        + "files). Per size, a split: etcd's stream read alone, with the SHA-256 check, and the live heap of one more "
        + "(untimed) backup, GC'd every second.");
    System.out.println("                        |   operator: stream to S3  |"
        + "   etcdctl save + upload      |");
    System.out.println("live MiB  snap MB  parts |  total s   MB/s  heap+ MB |"
        + "  save s  upload s   MB/s |  ratio");
  }

  private static void printRow(Run r) {
    System.out.printf("%8d %8.1f %6s | %8.2f %6.1f %9.1f | %7.2f %9.2f %6.1f | %6.2f%n", r.sizeMiB(),
        mb(r.snapshotBytes()), r.parts(), r.operatorSeconds(), r.operatorMbPerSecond(), mb(r.heapGrowth()),
        r.saveSeconds(), r.uploadSeconds(), r.manualMbPerSecond(), r.operatorMbPerSecond() / r.manualMbPerSecond());
    System.out.flush();
  }

  /**
   * Where the operator's time goes, without the store: etcd's stream read into nothing, then read through the
   * integrity check (SHA-256) into nothing. The rest of a backup is the upload.
   */
  private static void printSplits(long sizeMiB, EtcdProcessCluster etcd, EtcdClient client, ObjectStore store,
      List<Parts> variants) throws InterruptedException {
    long start = System.nanoTime();
    long bytes = client.snapshot(etcd.clientUrl(0), OutputStream.nullOutputStream(), Duration.ofMinutes(30));
    double read = seconds(start);
    start = System.nanoTime();
    SnapshotIntegrity integrity = new SnapshotIntegrity(OutputStream.nullOutputStream());
    client.snapshot(etcd.clientUrl(0), integrity, Duration.ofMinutes(30));
    integrity.verify();
    double checked = seconds(start);
    System.out.printf("%8d  split: etcd -> operator, nothing stored: %.2f s (%.1f MB/s); with the SHA-256 check: "
        + "%.2f s (%.1f MB/s)%n", sizeMiB, read, mb(bytes) / read, checked, mb(bytes) / checked);
    for (Parts parts : variants) {
      SnapshotStreaming streaming = new SnapshotStreaming(parts.sizeBytes(), parts.inFlight(), Duration.ofMinutes(30));
      long live;
      try (HeapSampler sampler = HeapSampler.collecting()) {
        streaming.stream(client, client.snapshotSource(etcd.clientUrl(0)), "bench/bench", store,
            new SnapshotStreaming.Target("bench", "live.db", Optional.empty()));
        live = sampler.growthBytes();
      }
      store.delete("bench", "live.db");
      System.out.printf("%8d  live heap of a backup with parts %s (full GC each second): +%.1f MB%n", sizeMiB, parts,
          mb(live));
    }
  }

  /** The median ratio per size and part cut: the runs share the machine with whatever else runs on it. */
  private static void printSummary(List<Run> results) {
    results.stream().collect(java.util.stream.Collectors.groupingBy(r -> r.sizeMiB() + " MiB, parts " + r.parts(),
        java.util.TreeMap::new, java.util.stream.Collectors.toList())).forEach((what, runs) -> {
          double[] ratios = runs.stream().mapToDouble(r -> r.operatorMbPerSecond() / r.manualMbPerSecond()).sorted()
              .toArray();
          System.out.printf("%s: median ratio %.2f over %d runs (lowest %.2f, highest %.2f)%n", what,
              median(ratios), ratios.length, ratios[0], ratios[ratios.length - 1]);
        });
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /**
   * Writes every dirty page to disk before a timed phase: the objects the store wrote last are otherwise flushed
   * during the next phase, and slow whichever path happens to come next.
   */
  private static void settle() throws IOException, InterruptedException {
    new ProcessBuilder("sync").inheritIO().start().waitFor();
  }

  private static void etcdctlSave(EtcdProcessCluster etcd, Path file) throws IOException, InterruptedException {
    Process process = new ProcessBuilder("etcdctl", "--endpoints=" + etcd.clientUrl(0), "snapshot", "save",
        file.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    process.getOutputStream().close();
    if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IOException("etcdctl snapshot save failed");
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static double mb(long bytes) {
    return bytes / 1e6;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var files = Files.walk(dir)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }
}
