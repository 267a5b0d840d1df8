package dev.etcdoperator.cluster.tls;

import dev.etcdoperator.access.ClientPems;
import dev.etcdoperator.api.v1alpha1.CertificateStatus;
import dev.etcdoperator.resources.MemberTls;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.List;
import java.util.Optional;

/**
 * What TLS means for a cluster in this reconcile: what the members mount, which certificate Secrets must be
 * written (issued or renewed), the operator's own client credentials, and what to report.
 *
 * @param ready whether the certificates are fit to run members with; when not, nothing is changed
 * @param issued what {@code toWrite} holds, for the Event (e.g. "server renewed")
 */
public record TlsState(MemberTls memberTls, List<Secret> toWrite, List<String> issued, Optional<ClientPems> operatorClient,
    List<CertificateStatus> certificates, boolean ready, String reason, String message) {

  static TlsState disabled() {
    return new TlsState(new MemberTls.Plain(), List.of(), List.of(), Optional.empty(), List.of(), false,
        TlsReasons.TLS_DISABLED, "TLS is disabled (spec.tls.mode: Disabled): client and peer traffic is plain HTTP "
            + "and unauthenticated");
  }
}
