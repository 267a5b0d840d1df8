package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One certificate the cluster uses, as the operator last read it from its Secret. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CertificateStatus {
  @JsonPropertyDescription("What the certificate is for: ca, server, peer, operator-client or client-<name>.")
  private String name;

  private String secretName;

  @JsonPropertyDescription("When the certificate expires (RFC 3339).")
  private String notAfter;

  @JsonPropertyDescription("When the operator renews it (Operator mode only).")
  private String renewAt;

  @JsonPropertyDescription("Serial number (hex), to tell a renewed certificate from the old one.")
  private String serial;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getSecretName() {
    return secretName;
  }

  public void setSecretName(String secretName) {
    this.secretName = secretName;
  }

  public String getNotAfter() {
    return notAfter;
  }

  public void setNotAfter(String notAfter) {
    this.notAfter = notAfter;
  }

  public String getRenewAt() {
    return renewAt;
  }

  public void setRenewAt(String renewAt) {
    this.renewAt = renewAt;
  }

  public String getSerial() {
    return serial;
  }

  public void setSerial(String serial) {
    this.serial = serial;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CertificateStatus c && Objects.equals(name, c.name) && Objects.equals(secretName, c.secretName)
        && Objects.equals(notAfter, c.notAfter) && Objects.equals(renewAt, c.renewAt)
        && Objects.equals(serial, c.serial);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, serial);
  }
}
