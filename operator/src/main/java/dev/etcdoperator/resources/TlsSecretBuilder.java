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

  /** The cluster CA with its key: read only by the operator, never mounted in a pod. */
  public static Secret authority(ClusterBlueprint blueprint, String name, String certificatePem, String keyPem) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(CA_CERT, certificatePem);
    data.put(CA_KEY, keyPem);
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
