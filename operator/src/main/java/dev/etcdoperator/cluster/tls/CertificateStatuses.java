package dev.etcdoperator.cluster.tls;

import dev.etcdoperator.api.v1alpha1.CertificateStatus;
import dev.etcdoperator.pki.CertificateInfo;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/** The status entry of one certificate: what it is for, where it lives, when it expires and is renewed. */
final class CertificateStatuses {
  private CertificateStatuses() {}

  static CertificateStatus of(String role, String secret, CertificateInfo info, Optional<Instant> renewAt) {
    CertificateStatus status = new CertificateStatus();
    status.setName(role);
    status.setSecretName(secret);
    status.setNotAfter(DateTimeFormatter.ISO_INSTANT.format(info.notAfter()));
    renewAt.ifPresent(at -> status.setRenewAt(DateTimeFormatter.ISO_INSTANT.format(at)));
    status.setSerial(info.serial());
    return status;
  }
}
