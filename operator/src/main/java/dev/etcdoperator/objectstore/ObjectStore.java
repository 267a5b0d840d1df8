package dev.etcdoperator.objectstore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.Map;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/** The object store snapshots go to: an S3 bucket or an S3-compatible store. The only user of the AWS SDK. */
public final class ObjectStore implements AutoCloseable {
  /** S3's smallest part (except the last). */
  public static final int MIN_PART_SIZE = 5 * 1024 * 1024;

  /**
   * Where and how to reach the store.
   *
   * @param endpoint a custom endpoint for S3-compatible stores; empty for AWS
   * @param credentials access key, secret key and optional session token; empty for the default AWS chain
   */
  public record Settings(String region, Optional<URI> endpoint, boolean pathStyle, Optional<Credentials> credentials) {}

  /** Static credentials, e.g. from a Secret. Never logged. */
  public record Credentials(String accessKeyId, String secretAccessKey, Optional<String> sessionToken) {
    @Override
    public String toString() {
      return "Credentials[accessKeyId=" + accessKeyId + ", secretAccessKey=<hidden>]";
    }
  }

  private final S3Client s3;

  private ObjectStore(S3Client s3) {
    this.s3 = s3;
  }

  /** @throws ObjectStoreException when the settings cannot make a client (e.g. no AWS credentials anywhere) */
  public static ObjectStore connect(Settings settings) {
    return connect(settings, Optional.empty());
  }

  /**
   * A store whose every call, retries included, gives up after {@code callTimeout}: for short lookups made on a
   * thread that other work waits for (a reconcile), where an endpoint that never answers must not hold it.
   */
  public static ObjectStore connect(Settings settings, Duration callTimeout) {
    return connect(settings, Optional.of(callTimeout));
  }

  private static ObjectStore connect(Settings settings, Optional<Duration> callTimeout) {
    try {
      var builder = S3Client.builder().region(Region.of(settings.region()))
          .forcePathStyle(settings.pathStyle()).credentialsProvider(credentials(settings.credentials()));
      settings.endpoint().ifPresent(builder::endpointOverride);
      callTimeout.ifPresent(timeout -> builder.overrideConfiguration(c -> c.apiCallTimeout(timeout)));
      return new ObjectStore(builder.build());
    } catch (RuntimeException e) {
      throw ObjectStoreException.of("setting up the S3 client", "", e);
    }
  }

  private static AwsCredentialsProvider credentials(Optional<Credentials> credentials) {
    if (credentials.isEmpty()) {
      return DefaultCredentialsProvider.builder().build();
    }
    Credentials c = credentials.get();
    return StaticCredentialsProvider.create(c.sessionToken()
        .<software.amazon.awssdk.auth.credentials.AwsCredentials>map(
            t -> AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), t))
        .orElseGet(() -> AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())));
  }

  /** Server-side encryption of new objects: SSE-S3 (AES256) or SSE-KMS with an optional key id. */
  public record Encryption(boolean kms, Optional<String> kmsKeyId) {
    static void apply(Optional<Encryption> encryption, BiConsumer<ServerSideEncryption, String> target) {
      encryption.ifPresent(e -> target.accept(e.kms() ? ServerSideEncryption.AWS_KMS : ServerSideEncryption.AES256,
          e.kmsKeyId().orElse(null)));
    }
  }

  /** Starts a streamed upload of one object with its metadata (user metadata, {@code x-amz-meta-*}). */
  public MultipartUpload upload(String bucket, String key, Map<String, String> metadata, Optional<Encryption> sse,
      int partSize) {
    return upload(bucket, key, metadata, sse, partSize, MultipartUpload.DEFAULT_PARTS_IN_FLIGHT);
  }

  /** As above, sending up to {@code partsInFlight} parts at once (and holding one more in memory). */
  public MultipartUpload upload(String bucket, String key, Map<String, String> metadata, Optional<Encryption> sse,
      int partSize, int partsInFlight) {
    return new MultipartUpload(s3, bucket, key, metadata, sse, partSize, partsInFlight);
  }

  /**
   * Streams the object into {@code out} (not closed here) and returns the bytes read; checking them is the reader's
   * (a restore checks a snapshot's own trailing SHA-256 on the way, see SnapshotIntegrity).
   */
  public long download(String bucket, String key, OutputStream out) {
    try (InputStream in = s3.getObject(b -> b.bucket(bucket).key(key))) {
      byte[] chunk = new byte[64 * 1024];
      long size = 0;
      for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
        out.write(chunk, 0, n);
        size += n;
      }
      return size;
    } catch (NoSuchKeyException e) {
      throw new ObjectStoreException("download of s3://" + bucket + "/" + key + " failed: the object does not exist",
          false, e);
    } catch (IOException e) {
      throw new ObjectStoreException("download of s3://" + bucket + "/" + key + " failed: " + e.getMessage(), true, e);
    } catch (RuntimeException e) {
      throw ObjectStoreException.of("download of s3://" + bucket + "/" + key, bucket, e);
    }
  }

  /** Deletes the object; deleting one that is gone is fine. */
  public void delete(String bucket, String key) {
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(key));
    } catch (RuntimeException e) {
      throw ObjectStoreException.of("deleting s3://" + bucket + "/" + key, bucket, e);
    }
  }

  /** The object's size and user metadata, if it exists (a HEAD request: nothing is downloaded). */
  public Optional<StoredObject> head(String bucket, String key) {
    try {
      HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key));
      return Optional.of(new StoredObject(bucket, key, head.contentLength(), head.metadata()));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw ObjectStoreException.of("reading s3://" + bucket + "/" + key, bucket, e);
    } catch (RuntimeException e) {
      throw ObjectStoreException.of("reading s3://" + bucket + "/" + key, bucket, e);
    }
  }

  /**
   * Aborts the uploads under {@code prefix} whose key matches, started and neither completed nor aborted (an
   * operator that died mid-upload leaves one); returns how many.
   */
  public int abortIncompleteUploads(String bucket, String prefix, Predicate<String> key) {
    try {
      int aborted = 0;
      for (var upload : s3.listMultipartUploads(b -> b.bucket(bucket).prefix(prefix)).uploads()) {
        if (key.test(upload.key())) {
          s3.abortMultipartUpload(b -> b.bucket(bucket).key(upload.key()).uploadId(upload.uploadId()));
          aborted++;
        }
      }
      return aborted;
    } catch (RuntimeException e) {
      throw ObjectStoreException.of("listing the uploads under s3://" + bucket + "/" + prefix, bucket, e);
    }
  }

  /** How many uploads of objects under {@code prefix} were started and neither completed nor aborted. */
  public int incompleteUploads(String bucket, String prefix) {
    return s3.listMultipartUploads(b -> b.bucket(bucket).prefix(prefix)).uploads().size();
  }

  /** An object as the store describes it. */
  public record StoredObject(String bucket, String key, long size, Map<String, String> metadata) {}

  @Override
  public void close() {
    s3.close();
  }
}
