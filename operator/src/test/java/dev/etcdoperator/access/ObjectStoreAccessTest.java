package dev.etcdoperator.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.etcdoperator.api.v1alpha1.S3Bucket;
import dev.etcdoperator.api.v1alpha1.S3Destination;
import dev.etcdoperator.objectstore.ObjectStore;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** From a bucket reference in a spec to what the S3 client needs, and what is wrong when it cannot be had. */
class ObjectStoreAccessTest {

  @Test
  void credentialsComeFromTheNamedSecretWithAnOptionalSessionToken() {
    S3Destination s3 = destination();
    Secret secret = new SecretBuilder().addToStringData(S3Bucket.ACCESS_KEY_ID, " key\n")
        .addToStringData(S3Bucket.SECRET_ACCESS_KEY, "s3cr3t-value").addToStringData(S3Bucket.SESSION_TOKEN, "t0ken-value")
        .build();

    ObjectStore.Settings settings = ObjectStoreAccess.settings(s3, Map.of("s3", secret)::get);

    assertThat(settings).isEqualTo(new ObjectStore.Settings("eu-west-1", Optional.of(URI.create("https://minio:9000")),
        true, Optional.of(new ObjectStore.Credentials("key", "s3cr3t-value", Optional.of("t0ken-value")))));
    assertThat(settings.credentials().get().toString()).doesNotContain("s3cr3t-value", "t0ken-value");
  }

  @Test
  void aMissingSecretOrKeyIsNamed() {
    assertThatThrownBy(() -> ObjectStoreAccess.settings(destination(), name -> null))
        .isInstanceOf(ObjectStoreAccess.MissingCredentials.class)
        .hasMessage("credentials Secret s3 does not exist");
    Secret partial = new SecretBuilder().addToStringData(S3Bucket.ACCESS_KEY_ID, "key").build();
    assertThatThrownBy(() -> ObjectStoreAccess.settings(destination(), name -> partial))
        .hasMessage("credentials Secret s3 has no secretAccessKey");
  }

  @Test
  void withoutASecretTheDefaultCredentialChainApplies() {
    S3Destination s3 = destination();
    s3.setCredentialsSecretRef(null);
    assertThat(ObjectStoreAccess.settings(s3, name -> null).credentials()).isEmpty();
  }

  @Test
  void encryptionFollowsTheSpec() {
    S3Destination s3 = destination();
    assertThat(ObjectStoreAccess.encryption(s3)).isEmpty();
    S3Destination.ServerSideEncryption sse = new S3Destination.ServerSideEncryption();
    sse.setType(S3Destination.ServerSideEncryption.Type.AES256);
    s3.setServerSideEncryption(sse);
    assertThat(ObjectStoreAccess.encryption(s3)).contains(new ObjectStore.Encryption(false, Optional.empty()));
    sse.setType(S3Destination.ServerSideEncryption.Type.KMS);
    sse.setKmsKeyID("arn:aws:kms:eu-west-1:1:key/k");
    assertThat(ObjectStoreAccess.encryption(s3))
        .contains(new ObjectStore.Encryption(true, Optional.of("arn:aws:kms:eu-west-1:1:key/k")));
  }

  private static S3Destination destination() {
    S3Destination s3 = new S3Destination();
    s3.setBucket("backups");
    s3.setRegion("eu-west-1");
    s3.setEndpoint("https://minio:9000");
    s3.setForcePathStyle(true);
    s3.setCredentialsSecretRef(new S3Bucket.SecretReference("s3"));
    return s3;
  }
}
