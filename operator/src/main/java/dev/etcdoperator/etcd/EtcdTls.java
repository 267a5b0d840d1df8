package dev.etcdoperator.etcd;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Client-side TLS material for talking to etcd: the cluster CA and a client certificate.
 *
 * <p>All three are PEM files; the key must be PKCS#8 ("BEGIN PRIVATE KEY"), the one form {@link ClientTlsMaterial}
 * reads with the JDK alone. Only paths are held, so {@link #toString()} never prints key material.
 */
public record EtcdTls(Path caCertPem, Path clientCertPem, Path clientKeyPem) {

  public EtcdTls {
    Objects.requireNonNull(caCertPem, "caCertPem");
    Objects.requireNonNull(clientCertPem, "clientCertPem");
    Objects.requireNonNull(clientKeyPem, "clientKeyPem");
  }
}
