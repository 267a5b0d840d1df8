package dev.etcdoperator.backup;

import dev.etcdoperator.api.v1alpha1.EtcdBackupConditions.Reason;
import dev.etcdoperator.api.v1alpha1.S3Destination;
import dev.etcdoperator.resources.TlsSecretBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** How to reach the bucket of an S3 destination: settings, credentials from its Secret, and encryption. */
final class ObjectStoreAccess {
  private ObjectStoreAccess() {}

  /**
   * @param secrets the Secrets of the destination's namespace, by name (null when missing)
   * @throws BackupFailure when the credentials Secret or one of its keys is missing; retryable, since a Secret
   *     created a moment later (GitOps applies in any order) fixes it
   */
  static ObjectStore.Settings settings(S3Destination s3, Function<String, Secret> secrets) {
    Optional<ObjectStore.Credentials> credentials = Optional.empty();
    if (s3.getCredentialsSecretRef() != null) {
      String name = s3.getCredentialsSecretRef().getName();
      Secret secret = secrets.apply(name);
      if (secret == null) {
        throw new BackupFailure(Reason.CREDENTIALS_NOT_FOUND, "credentials Secret " + name + " does not exist", true);
      }
      List<String> missing = List.of(S3Destination.ACCESS_KEY_ID, S3Destination.SECRET_ACCESS_KEY).stream()
          .filter(key -> blank(TlsSecretBuilder.text(secret, key))).toList();
      if (!missing.isEmpty()) {
        throw new BackupFailure(Reason.CREDENTIALS_NOT_FOUND, "credentials Secret " + name + " has no "
            + String.join(" and no ", missing), true);
      }
      credentials = Optional.of(new ObjectStore.Credentials(
          TlsSecretBuilder.text(secret, S3Destination.ACCESS_KEY_ID).strip(),
          TlsSecretBuilder.text(secret, S3Destination.SECRET_ACCESS_KEY).strip(),
          Optional.ofNullable(TlsSecretBuilder.text(secret, S3Destination.SESSION_TOKEN)).map(String::strip)
              .filter(t -> !t.isEmpty())));
    }
    Optional<URI> endpoint;
    try {
      endpoint = Optional.ofNullable(s3.getEndpoint()).map(URI::create);
    } catch (IllegalArgumentException e) {
      throw new BackupFailure(Reason.INVALID_SPEC, "s3.endpoint \"" + s3.getEndpoint() + "\" is not a URL: "
          + e.getMessage(), false);
    }
    return new ObjectStore.Settings(Optional.ofNullable(s3.getRegion()).orElse(S3Destination.DEFAULT_REGION),
        endpoint, Boolean.TRUE.equals(s3.getForcePathStyle()), credentials);
  }

  static Optional<ObjectStore.Encryption> encryption(S3Destination s3) {
    return Optional.ofNullable(s3.getServerSideEncryption()).map(sse -> new ObjectStore.Encryption(
        sse.getType() == S3Destination.ServerSideEncryption.Type.KMS, Optional.ofNullable(sse.getKmsKeyID())));
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }
}
