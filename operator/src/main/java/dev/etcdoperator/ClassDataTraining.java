package dev.etcdoperator;

import dev.etcdoperator.support.FileTree;
import dev.etcdoperator.access.ClientPems;
import dev.etcdoperator.access.EtcdClients;
import dev.etcdoperator.access.OperatorClientFiles;
import dev.etcdoperator.etcd.EtcdClient;
import dev.etcdoperator.etcd.EtcdConnection;
import dev.etcdoperator.etcd.EtcdUnavailableException;
import dev.etcdoperator.pki.CertificateAuthority;
import dev.etcdoperator.pki.EtcdCertificateSet;
import dev.etcdoperator.pki.IssuedCertificate;
import io.grpc.Server;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.netty.handler.ssl.ClientAuth;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * A first contact with etcd, rehearsed while the image is built, so that the class-data archive the JVM writes at the
 * build run's exit also holds what a probe loads: certificates, the TLS handshake, Netty, gRPC and the etcd client.
 * Without them every cluster's first probe after a start waits for the first TLS connection's class loading, seconds
 * on a busy node. A build has no etcd: the probe goes to an in-process gRPC server with TLS and no services, which
 * completes the handshake (client certificate included) and answers that it does not know the call.
 */
final class ClassDataTraining {
  /** The jar's argument for the build run (operator/Dockerfile). */
  static final String ARGUMENT = "--train-class-data";

  private ClassDataTraining() {}

  static boolean isTraining(String[] args) {
    return args.length == 1 && ARGUMENT.equals(args[0]);
  }

  /** @return how the probe ended: with etcd's member list refused as unknown when the handshake went through */
  static String rehearseProbe() throws IOException {
    EtcdCertificateSet names = EtcdCertificateSet.withDefaults("training", "build");
    CertificateAuthority ca = CertificateAuthority.create(names.caCommonName(), names.keyAlgorithm(),
        Duration.ofHours(1), Clock.systemUTC());
    IssuedCertificate serving = ca.issue(names.server().withAdditionalNames(List.of("localhost"), List.of()));
    IssuedCertificate client = ca.issue(names.operatorClient());
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .sslContext(GrpcSslContexts.forServer(pem(serving.certificatePem()), pem(serving.privateKeyPem()))
            .trustManager(pem(ca.certificatePem())).clientAuth(ClientAuth.REQUIRE).build())
        .build().start();
    Path dir = Files.createTempDirectory("class-data-training");
    try (EtcdClients clients = new EtcdClients(Clock.systemUTC())) {
      URI endpoint = URI.create("https://localhost:" + server.getPort());
      EtcdConnection connection = EtcdConnection.withTls(List.of(endpoint), Duration.ofSeconds(30),
          new OperatorClientFiles(dir).write("build", "training",
              new ClientPems(ca.certificatePem(), client.certificatePem(), client.privateKeyPem())));
      EtcdClient etcd = clients.forCluster("build/training", connection);
      etcd.observe(List.of(endpoint));
      return "answered";
    } catch (EtcdUnavailableException e) {
      return e.getMessage();
    } finally {
      server.shutdownNow();
      FileTree.delete(dir);
    }
  }

  private static ByteArrayInputStream pem(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
  }

}
