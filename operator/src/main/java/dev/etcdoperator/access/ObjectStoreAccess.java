package dev.etcdoperator.access;

import dev.etcdoperator.api.v1alpha1.S3Bucket;
import dev.etcdoperator.api.v1alpha1.S3Destination;
import dev.etcdoperator.objectstore.ObjectStore;
import dev.etcdoperator.resources.TlsSecretBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** How to reach an S3 bucket: settings, credentials from its Secret, and encryption of new objects. */
public final class ObjectStoreAccess {
  private ObjectStoreAccess() {}

  /** The credentials Secret, or one of its keys, is missing: a Secret created a moment later fixes it. */
  public static final class MissingCredentials extends RuntimeException {
    MissingCredentials(String message) {
      super(message);
    }
  }

  /**
   * @param secrets the Secrets of the bucket reference's namespace, by name (null when missing)
   * @throws MissingCredentials when the credentials Secret or one of its keys is missing
   * @throws IllegalArgumentException when the endpoint is not a URL
   */
  public static ObjectStore.Settings settings(S3Bucket s3, Function<String, Secret> secrets) {
    Optional<ObjectStore.Credentials> credentials = Optional.empty();
    if (s3.getCredentialsSecretRef() != null) {
      String name = s3.getCredentialsSecretRef().getName();
      Secret secret = secrets.apply(name);
      if (secret == null) {
        throw new MissingCredentials("credentials Secret " + name + " does not exist");
      }
      List<String> missing = List.of(S3Bucket.ACCESS_KEY_ID, S3Bucket.SECRET_ACCESS_KEY).stream()
          .filter(key -> blank(TlsSecretBuilder.text(secret, key))).toList();
      if (!missing.isEmpty()) {
        throw new MissingCredentials("credentials Secret " + name + " has no " + String.join(" and no ", missing));
      }
      credentials = Optional.of(new ObjectStore.Credentials(
          TlsSecretBuilder.text(secret, S3Bucket.ACCESS_KEY_ID).strip(),
          TlsSecretBuilder.text(secret, S3Bucket.SECRET_ACCESS_KEY).strip(),
          Optional.ofNullable(TlsSecretBuilder.text(secret, S3Bucket.SESSION_TOKEN)).map(String::strip)
              .filter(t -> !t.isEmpty())));
    }
    Optional<URI> endpoint;
    try {
      endpoint = Optional.ofNullable(s3.getEndpoint()).map(URI::create);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("s3.endpoint \"" + s3.getEndpoint() + "\" is not a URL: " + e.getMessage());
    }
    return new ObjectStore.Settings(Optional.ofNullable(s3.getRegion()).orElse(S3Bucket.DEFAULT_REGION),
        endpoint, Boolean.TRUE.equals(s3.getForcePathStyle()), credentials);
  }

  public static Optional<ObjectStore.Encryption> encryption(S3Destination s3) {
    return Optional.ofNullable(s3.getServerSideEncryption()).map(sse -> new ObjectStore.Encryption(
        sse.getType() == S3Destination.ServerSideEncryption.Type.KMS, Optional.ofNullable(sse.getKmsKeyID())));
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }
}
