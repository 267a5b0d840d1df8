package dev.etcdoperator.testing;

import dev.etcdoperator.objectstore.ObjectStore;
import dev.etcdoperator.api.v1alpha1.S3Bucket;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server (S3Proxy over its in-memory store, or over a directory) on a free port of 127.0.0.1, for tests.
 */
public final class S3ProxyServer implements AutoCloseable {
  public static final String ACCESS_KEY = "test-access-key";
  public static final String SECRET_KEY = "test-secret-key";

  private final S3Proxy proxy;
  private final S3Client admin;
  private final String address;

  public S3ProxyServer() throws Exception {
    this("127.0.0.1");
  }

  /** On a free port of {@code address} (a loopback address other than 127.0.0.1 for e2e pods to reach it). */
  public S3ProxyServer(String address) throws Exception {
    this(address, Optional.empty());
  }

  /**
   * Objects stored as files under {@code directory}: for benchmarks whose objects would not fit the heap, and
   * whose heap figures must not count the stored objects.
   */
  public static S3ProxyServer onDisk(Path directory) throws Exception {
    return new S3ProxyServer("127.0.0.1", Optional.of(directory));
  }

  private S3ProxyServer(String address, Optional<Path> directory) throws Exception {
    this.address = address;
    Properties backend = new Properties();
    directory.ifPresent(d -> backend.setProperty("jclouds.filesystem.basedir", d.toString()));
    proxy = S3Proxy.builder().blobStore(BlobStores.create(directory.isPresent() ? "filesystem" : "transient",
            backend))
        .endpoint(URI.create("http://" + address + ":0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        // the AWS SDK sends headers S3Proxy does not know (checksum modes)
        .ignoreUnknownHeaders(true).build();
    proxy.start();
    long until = System.nanoTime() + 10_000_000_000L;
    while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < until) {
      Thread.onSpinWait();
    }
    admin = S3Client.builder().region(Region.US_EAST_1).endpointOverride(endpoint()).forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .build();
  }

  public URI endpoint() {
    return URI.create("http://" + address + ":" + proxy.getPort());
  }

  public void createBucket(String bucket) {
    admin.createBucket(b -> b.bucket(bucket));
  }

  public ObjectStore.Settings settings(String accessKey) {
    return new ObjectStore.Settings("us-east-1", Optional.of(endpoint()), true,
        Optional.of(new ObjectStore.Credentials(accessKey, SECRET_KEY, Optional.empty())));
  }

  /** The object's bytes as the store holds them. */
  public byte[] read(String bucket, String key) {
    return admin.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
  }

  public void put(String bucket, String key, byte[] content) {
    put(bucket, key, content, Map.of());
  }

  /** An object with user metadata (x-amz-meta-*), as EtcdBackup writes snapshots. */
  public void put(String bucket, String key, byte[] content, Map<String, String> metadata) {
    admin.putObject(b -> b.bucket(bucket).key(key).metadata(metadata),
        RequestBody.fromBytes(content));
  }

  /** A Secret with this server's keys, as a credentialsSecretRef names it. */
  public static Secret credentialsSecret(String name) {
    return new SecretBuilder().withNewMetadata().withName(name).endMetadata()
        .addToStringData(S3Bucket.ACCESS_KEY_ID, ACCESS_KEY)
        .addToStringData(S3Bucket.SECRET_ACCESS_KEY, SECRET_KEY).build();
  }

  /** Keys of the complete objects under {@code prefix}. */
  public List<String> keys(String bucket, String prefix) {
    return admin.listObjectsV2(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
        .map(software.amazon.awssdk.services.s3.model.S3Object::key).toList();
  }

  @Override
  public void close() throws Exception {
    admin.close();
    proxy.stop();
  }
}
