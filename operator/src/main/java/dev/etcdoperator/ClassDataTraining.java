package dev.etcdoperator;

import dev.etcdoperator.access.ClientPems;
import dev.etcdoperator.access.EtcdClients;
import dev.etcdoperator.access.OperatorClientFiles;
import dev.etcdoperator.etcd.EtcdClient;
import dev.etcdoperator.etcd.EtcdConnection;
import dev.etcdoperator.etcd.EtcdUnavailableException;
import dev.etcdoperator.pki.CertificateAuthority;
import dev.etcdoperator.pki.EtcdCertificateSet;
import dev.etcdoperator.pki.IssuedCertificate;
import dev.etcdoperator.support.FileTree;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

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
  static String rehearseProbe() throws IOException, GeneralSecurityException {
    EtcdCertificateSet names = EtcdCertificateSet.withDefaults("training", "build");
    CertificateAuthority ca = CertificateAuthority.create(names.caCommonName(), names.keyAlgorithm(),
        Duration.ofHours(1), Clock.systemUTC());
    IssuedCertificate serving = ca.issue(names.server().withAdditionalNames(List.of("localhost"), List.of()));
    IssuedCertificate client = ca.issue(names.operatorClient());
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .sslContext(serverContext(ca, serving))
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

  /**
   * The server's TLS, asking for a client certificate. Built from a JDK {@link SSLContext}: Netty's own server
   * context parses a key of its own with Bouncy Castle's provider when first used, which would put that provider's
   * classes (hundreds, never loaded by the operator) into the archive.
   */
  private static SslContext serverContext(CertificateAuthority ca, IssuedCertificate serving)
      throws GeneralSecurityException, IOException {
    char[] password = new char[0];
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, password);
    keys.setKeyEntry("serving", serving.privateKey(), password, new Certificate[] {serving.certificate()});
    KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, password);
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, password);
    trusted.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
    ApplicationProtocolConfig http2 = new ApplicationProtocolConfig(Protocol.ALPN,
        SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2);
    return new JdkSslContext(context, false, null, IdentityCipherSuiteFilter.INSTANCE, http2, ClientAuth.REQUIRE,
        null, false);
  }
}
