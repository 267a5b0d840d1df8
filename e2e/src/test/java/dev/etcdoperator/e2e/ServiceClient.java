package dev.etcdoperator.e2e;

import dev.etcdoperator.etcd.EtcdTls;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.netty.GrpcSslContexts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An application's etcd client: against the given endpoints (the client Service, a member; {@link Backend} says
 * how this JVM reaches them) with the client certificate from Secret {@code <cluster>-client-<name>} (tls.crt,
 * tls.key, ca.crt), verifying the server certificate's name.
 */
final class ServiceClient {
  private ServiceClient() {}

  static Client connect(KubernetesClient kube, String namespace, String cluster, String certificate, Path dir,
      List<String> endpoints) {
    EtcdTls files = files(kube, namespace, cluster, certificate, dir);
    try {
      return Client.builder()
          .endpoints(endpoints.toArray(String[]::new))
          .sslContext(GrpcSslContexts.forClient().trustManager(files.caCertPem().toFile())
              .keyManager(files.clientCertPem().toFile(), files.clientKeyPem().toFile()).build())
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The client certificate Secret {@code <cluster>-client-<name>} as it is now, written as files under dir. */
  static EtcdTls files(KubernetesClient kube, String namespace, String cluster, String certificate, Path dir) {
    Secret secret = kube.secrets().inNamespace(namespace).withName(cluster + "-client-" + certificate).get();
    if (secret == null) {
      throw new IllegalStateException("no Secret " + cluster + "-client-" + certificate);
    }
    try {
      Files.createDirectories(dir);
      return new EtcdTls(write(dir.resolve("ca.crt"), ContainerEnv.secretValue(secret, "ca.crt")),
          write(dir.resolve("tls.crt"), ContainerEnv.secretValue(secret, "tls.crt")),
          write(dir.resolve("tls.key"), ContainerEnv.secretValue(secret, "tls.key")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path write(Path file, String content) throws IOException {
    if (content == null) {
      throw new IllegalStateException("client Secret lacks " + file.getFileName());
    }
    return Files.writeString(file, content);
  }
}
