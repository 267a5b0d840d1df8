package dev.etcdoperator.pki;

import dev.etcdoperator.etcd.ClientKeyManager;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Test helpers that read our PEM with the JDK alone (no Bouncy Castle), so tests check the pki package against an
 * independent implementation, plus raw TLS connections for the real-etcd tests.
 */
public final class TlsFixtures {

  public static final Instant NOW = Instant.parse("2026-11-01T12:00:00Z");
  private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)content-length:\\s*(\\d+)");

  private TlsFixtures() {
  }

  public static Clock clockAt(Instant instant) {
    return Clock.fixed(instant, ZoneOffset.UTC);
  }

  public static List<X509Certificate> x509All(String pem) {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      return factory.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
          .stream().map(X509Certificate.class::cast).toList();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("JDK cannot read certificate PEM", e);
    }
  }

  public static X509Certificate x509(String pem) {
    return x509All(pem).get(0);
  }

  /** A PKCS#8 {@code PRIVATE KEY} PEM read the way Netty does: base64 body into PKCS8EncodedKeySpec. */
  public static PrivateKey pkcs8(String pem, String algorithm) {
    String body = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "")
        .replaceAll("\\s", "");
    try {
      return KeyFactory.getInstance(algorithm)
          .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not a PKCS#8 " + algorithm + " key", e);
    }
  }

  /** The base64 body of a PEM block, to assert that a key never shows up in a text. */
  public static String body(String pem) {
    return pem.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
  }

  /**
   * An SSLContext trusting {@code caPem} (all of its certificates) and presenting {@code client} if given, when the
   * server's list of acceptable CAs names the client's issuer (the JDK's key managers, and so Netty's, send nothing
   * otherwise).
   */
  public static SSLContext sslContext(String caPem, Optional<IssuedCertificate> client) {
    return sslContext(caPem, client, false);
  }

  /**
   * Like {@link #sslContext(String, Optional)} but always presents {@code client}, even when the server does not
   * list its issuer: the way to put a foreign certificate on the wire and see the server refuse it.
   */
  public static SSLContext sslContextPresenting(String caPem, IssuedCertificate client) {
    return sslContext(caPem, Optional.of(client), true);
  }

  private static SSLContext sslContext(String caPem, Optional<IssuedCertificate> client, boolean always) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      List<X509Certificate> cas = x509All(caPem);
      for (int i = 0; i < cas.size(); i++) {
        trust.setCertificateEntry("ca-" + i, cas.get(i));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      char[] password = "test".toCharArray();
      if (client.isPresent()) {
        X509Certificate cert = x509(client.get().certificatePem());
        String algorithm = cert.getPublicKey().getAlgorithm();
        keys.setKeyEntry("client", pkcs8(client.get().privateKeyPem(), algorithm), password,
            new Certificate[] {cert});
      }
      kmf.init(keys, password);
      SSLContext context = SSLContext.getInstance("TLS");
      KeyManager[] keyManagers = kmf.getKeyManagers();
      if (always) {
        keyManagers = new KeyManager[] {new ClientKeyManager((PrivateKey) keys.getKey("client", password),
            List.of(x509(client.orElseThrow().certificatePem())))};
      }
      context.init(keyManagers, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build test SSLContext", e);
    }
  }

  /** Handshakes with {@code host:port} and returns the certificate the server presented. */
  public static X509Certificate servedCertificate(SSLContext context, String host, int port) throws IOException {
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
      socket.connect(new InetSocketAddress(host, port), 2000);
      socket.setSoTimeout(2000);
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  /**
   * Sends {@code GET /version} over HTTP/1.1 on a fresh TLS connection and returns the status line, headers and
   * body (etcd serves HTTP/1 beside gRPC on both ports). Reads exactly Content-Length bytes rather than up to EOF:
   * etcd's peer port does not always close promptly after answering. Throws if the handshake or exchange fails.
   */
  public static String httpGetVersion(SSLContext context, String host, int port) throws IOException {
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
      socket.connect(new InetSocketAddress(host, port), 2000);
      socket.setSoTimeout(5000);
      socket.startHandshake();
      socket.getOutputStream().write(("GET /version HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new EOFException("connection closed after " + head.length() + " bytes of response");
        }
        head.append((char) b);
      }
      Matcher length = CONTENT_LENGTH.matcher(head);
      int bodyLength = length.find() ? Integer.parseInt(length.group(1)) : 0;
      return head + new String(in.readNBytes(bodyLength), StandardCharsets.UTF_8);
    }
  }

  /**
   * Replaces {@code target} with {@code content} in one rename, so a reader (etcd on its next handshake) sees the
   * old or the new file, never half of one.
   */
  public static Path writeAtomically(Path target, String content) {
    try {
      Files.createDirectories(target.getParent());
      Path temp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
      Files.writeString(temp, content);
      return Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
