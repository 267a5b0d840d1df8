package dev.etcdoperator.resources;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** Certificate Secrets, in the layout cert-manager and kubernetes.io/tls use, so tools can read them. */
public final class TlsSecretBuilder {
  public static final String TLS_CERT = "tls.crt";
  public static final String TLS_KEY = "tls.key";
  public static final String CA_CERT = "ca.crt";
  public static final String CA_KEY = "ca.key";

  private TlsSecretBuilder() {}

  /** A leaf: its certificate and key, and the CA bundle that verifies peers and clients. */
  public static Secret leaf(ClusterBlueprint blueprint, String name, String certificatePem, String keyPem,
      String caBundlePem) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(TLS_CERT, certificatePem);
    data.put(TLS_KEY, keyPem);
    data.put(CA_CERT, caBundlePem);
    return secret(blueprint, name, "kubernetes.io/tls", data);
  }

  /** During a CA rotation, the CA that is to sign next (with its key), and the one that signed before. */
  public static final String NEXT_CA_CERT = "next-ca.crt";
  public static final String NEXT_CA_KEY = "next-ca.key";
  public static final String PREVIOUS_CA_CERT = "previous-ca.crt";
  /** The last {@code etcdoperator.dev/rotate-ca} request handled, so that one request rotates once. */
  public static final String ROTATION_HANDLED = "rotation-handled";
  /** When the current step of a CA rotation began (ISO-8601), for its minimum duration. */
  public static final String ROTATION_STEP_SINCE = "rotation-step-since";

  /** The cluster CA with its key: read only by the operator, never mounted in a pod. */
  public static Secret authority(ClusterBlueprint blueprint, String name, String certificatePem, String keyPem) {
    return authority(blueprint, name, certificatePem, keyPem, "", "", "", "", "");
  }

  /**
   * The cluster CA with its key and its rotation state. Keys that do not apply are written empty rather than left
   * out: a server-side apply must also clear what an earlier apply set.
   */
  public static Secret authority(ClusterBlueprint blueprint, String name, String certificatePem, String keyPem,
      String nextCertificatePem, String nextKeyPem, String previousCertificatePem, String rotationHandled,
      String rotationStepSince) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(CA_CERT, certificatePem);
    data.put(CA_KEY, keyPem);
    data.put(NEXT_CA_CERT, nextCertificatePem);
    data.put(NEXT_CA_KEY, nextKeyPem);
    data.put(PREVIOUS_CA_CERT, previousCertificatePem);
    data.put(ROTATION_HANDLED, rotationHandled);
    data.put(ROTATION_STEP_SINCE, rotationStepSince);
    return secret(blueprint, name, "Opaque", data);
  }

  /** The text of one key of a Secret, or null. */
  public static String text(Secret secret, String key) {
    if (secret == null) {
      return null;
    }
    if (secret.getData() != null && secret.getData().get(key) != null) {
      return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
    return secret.getStringData() == null ? null : secret.getStringData().get(key);
  }

  private static Secret secret(ClusterBlueprint blueprint, String name, String type, Map<String, String> text) {
    Map<String, String> data = new LinkedHashMap<>();
    text.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return new SecretBuilder()
        .withMetadata(OwnedMetadata.of(blueprint, name))
        .withType(type)
        .withData(data)
        .build();
  }
}
