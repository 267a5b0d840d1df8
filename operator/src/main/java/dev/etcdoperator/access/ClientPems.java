package dev.etcdoperator.access;

/** The operator's client credentials for one cluster, in PEM. Never printed: toString hides the key. */
public record ClientPems(String caPem, String certificatePem, String privateKeyPem) {
  @Override
  public String toString() {
    return "ClientPems[certificate and key hidden]";
  }
}
