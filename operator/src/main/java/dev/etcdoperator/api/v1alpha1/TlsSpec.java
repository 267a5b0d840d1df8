package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** Client and peer TLS. Operator mode (the default) issues, mounts, renews and rotates every certificate. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.mode != 'External' || has(self.external)",
    message = "tls.mode External needs tls.external with the Secrets to use")
@ValidationRule(value = "self.mode == oldSelf.mode",
    message = "tls.mode cannot change after creation: the members' peer URLs would change scheme")
public class TlsSpec {
  public enum Mode { Operator, External, Disabled }

  public static final int DEFAULT_CA_VALIDITY_DAYS = 1825;
  public static final int DEFAULT_CERTIFICATE_VALIDITY_DAYS = 365;
  public static final int DEFAULT_RENEW_WHEN_REMAINING_PERCENT = 33;
  public static final int DEFAULT_CA_ROTATION_STEP_MIN_SECONDS = 600;

  @Default("Operator")
  @JsonPropertyDescription("Operator: certificates issued by a per-cluster CA the operator keeps. External: Secrets "
      + "you provide (e.g. from cert-manager). Disabled: plain HTTP, reported by a Warning condition.")
  private Mode mode = Mode.Operator;

  @Default("ECDSA-P256")
  @io.fabric8.generator.annotation.Pattern("^(ECDSA-P256|RSA-2048|RSA-3072|RSA-4096)$")
  @Size(max = SchemaLimits.KEYWORD)
  @JsonPropertyDescription("Key algorithm of issued keys: ECDSA-P256, RSA-2048, RSA-3072 or RSA-4096.")
  private String keyAlgorithm = "ECDSA-P256";

  @Min(1)
  @Max(36500)
  @JsonPropertyDescription("Validity of the cluster CA in days (default 1825).")
  private Integer caValidityDays;

  @Min(1)
  @Max(3650)
  @JsonPropertyDescription("Validity of server, peer and client certificates in days (default 365).")
  private Integer certificateValidityDays;

  @Min(1)
  @Max(90)
  @JsonPropertyDescription("Renew a certificate when less than this share of its lifetime remains (default 33).")
  private Integer renewWhenRemainingPercent;

  @Min(0)
  @Max(604800)
  @JsonPropertyDescription("Shortest time each step of a CA rotation lasts, in seconds (default 600): the time "
      + "clients get to load the new CA bundle before servers present certificates of the new CA, and to load "
      + "their re-issued certificates before the old CA is dropped.")
  private Integer caRotationStepMinSeconds;

  // Names are unique by list-map semantics (x-kubernetes-list-type: map, keyed by name), which the API server
  // checks in linear time; the CRD generation adds them (the generator has no annotation for it).
  @Size(max = SchemaLimits.CLIENT_CERTIFICATES)
  @JsonPropertyDescription("Client certificates for applications: one Secret <cluster>-client-<name> each, with "
      + "tls.crt, tls.key and ca.crt; the certificate's common name is the entry's name.")
  private List<ClientCertificate> clientCertificates = new ArrayList<>();

  @JsonPropertyDescription("Secrets for mode External, in cert-manager's layout (tls.crt, tls.key, ca.crt).")
  private ExternalTls external;

  public Mode getMode() {
    return mode;
  }

  public void setMode(Mode mode) {
    this.mode = mode;
  }

  public String getKeyAlgorithm() {
    return keyAlgorithm;
  }

  public void setKeyAlgorithm(String keyAlgorithm) {
    this.keyAlgorithm = keyAlgorithm;
  }

  public Integer getCaValidityDays() {
    return caValidityDays;
  }

  public void setCaValidityDays(Integer caValidityDays) {
    this.caValidityDays = caValidityDays;
  }

  public Integer getCertificateValidityDays() {
    return certificateValidityDays;
  }

  public void setCertificateValidityDays(Integer certificateValidityDays) {
    this.certificateValidityDays = certificateValidityDays;
  }

  public Integer getRenewWhenRemainingPercent() {
    return renewWhenRemainingPercent;
  }

  public void setRenewWhenRemainingPercent(Integer renewWhenRemainingPercent) {
    this.renewWhenRemainingPercent = renewWhenRemainingPercent;
  }

  public Integer getCaRotationStepMinSeconds() {
    return caRotationStepMinSeconds;
  }

  public void setCaRotationStepMinSeconds(Integer caRotationStepMinSeconds) {
    this.caRotationStepMinSeconds = caRotationStepMinSeconds;
  }

  public List<ClientCertificate> getClientCertificates() {
    return clientCertificates;
  }

  public void setClientCertificates(List<ClientCertificate> clientCertificates) {
    this.clientCertificates = clientCertificates;
  }

  public ExternalTls getExternal() {
    return external;
  }

  public void setExternal(ExternalTls external) {
    this.external = external;
  }

  /** One application's client certificate. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ClientCertificate {
    @io.fabric8.generator.annotation.Required
    @io.fabric8.generator.annotation.Pattern("^[a-z0-9]([-a-z0-9]{0,48}[a-z0-9])?$")
    @Size(max = SchemaLimits.CLIENT_CERTIFICATE_NAME)
    @JsonPropertyDescription("Name of the application; the certificate's common name and part of the Secret name.")
    private String name;

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }
  }

  /** User-supplied Secrets (kubernetes.io/tls layout plus ca.crt). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ExternalTls {
    @io.fabric8.generator.annotation.Required
    @Size(max = SchemaLimits.OBJECT_NAME)
    @JsonPropertyDescription("Secret with the members' server certificate (serverAuth and clientAuth).")
    private String serverSecretName;

    @io.fabric8.generator.annotation.Required
    @Size(max = SchemaLimits.OBJECT_NAME)
    @JsonPropertyDescription("Secret with the members' peer certificate (serverAuth and clientAuth).")
    private String peerSecretName;

    @io.fabric8.generator.annotation.Required
    @Size(max = SchemaLimits.OBJECT_NAME)
    @JsonPropertyDescription("Secret with the client certificate the operator uses (clientAuth).")
    private String operatorClientSecretName;

    public String getServerSecretName() {
      return serverSecretName;
    }

    public void setServerSecretName(String serverSecretName) {
      this.serverSecretName = serverSecretName;
    }

    public String getPeerSecretName() {
      return peerSecretName;
    }

    public void setPeerSecretName(String peerSecretName) {
      this.peerSecretName = peerSecretName;
    }

    public String getOperatorClientSecretName() {
      return operatorClientSecretName;
    }

    public void setOperatorClientSecretName(String operatorClientSecretName) {
      this.operatorClientSecretName = operatorClientSecretName;
    }
  }
}
