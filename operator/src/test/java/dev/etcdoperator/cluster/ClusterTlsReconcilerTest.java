package dev.etcdoperator.cluster;

import dev.etcdoperator.testing.OperatorPerClass;
import dev.etcdoperator.testing.OperatorTestEnvironment;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.AVAILABLE;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.CERTIFICATES_READY;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.DEGRADED;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.PROGRESSING;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.READY;
import static dev.etcdoperator.testing.OperatorTestEnvironment.WAIT;
import static dev.etcdoperator.testing.OperatorTestEnvironment.condition;
import static dev.etcdoperator.testing.OperatorTestEnvironment.tls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.MemberStatus;
import dev.etcdoperator.api.v1alpha1.TlsSpec;
import dev.etcdoperator.pki.CertificateAuthority;
import dev.etcdoperator.pki.CertificateInfo;
import dev.etcdoperator.pki.EtcdCertificateSet;
import dev.etcdoperator.pki.KeyAlgorithm;
import dev.etcdoperator.resources.TlsSecretBuilder;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real JOSDK operator (see {@link OperatorTestEnvironment}) with TLS set up by the user: certificates from
 * the user's own CA (External mode) and client certificates the operator issues for applications. TLS on by
 * default is checked along with the owned objects in {@link EtcdClusterReconcilerTest}.
 */
class ClusterTlsReconcilerTest {
  private static final String NS = "cluster-tls-test";

  @RegisterExtension
  static final OperatorPerClass OPERATOR = new OperatorPerClass(NS);

  private static OperatorTestEnvironment env() {
    return OPERATOR.env();
  }

  @Test
  void externalCertificatesAreCheckedBeforeAnyMemberStarts() {
    TlsSpec external = tls(TlsSpec.Mode.External);
    external.setExternal(new TlsSpec.ExternalTls());
    external.getExternal().setServerSecretName("ext-server");
    external.getExternal().setPeerSecretName("ext-peer");
    external.getExternal().setOperatorClientSecretName("ext-operator");
    env().create("ext", spec -> spec.getSpec().setTls(external));

    await().atMost(WAIT).untilAsserted(() -> {
      Condition certificates = condition(env().status("ext"), CERTIFICATES_READY);
      assertThat(certificates.getStatus()).isEqualTo("False");
      assertThat(certificates.getReason()).isEqualTo("InvalidCertificates");
      assertThat(certificates.getMessage()).contains("Secret ext-server (server) does not exist");
      assertThat(condition(env().status("ext"), PROGRESSING).getReason()).isEqualTo("CertificatesNotReady");
    });
    assertThat(env().get(StatefulSet.class, "ext")).isNull();

    // Secrets as cert-manager would write them, from the user's own CA: accepted and mounted as they are.
    CertificateAuthority userCa = CertificateAuthority.create("user-ca", KeyAlgorithm.ECDSA_P256,
        Duration.ofDays(30), Clock.systemUTC());
    EtcdCertificateSet set = new EtcdCertificateSet("ext", NS, "cluster.local", KeyAlgorithm.ECDSA_P256,
        Duration.ofDays(30), Duration.ofDays(10));
    env().userSecret("ext-server", userCa, userCa.issue(set.server()));
    env().userSecret("ext-peer", userCa, userCa.issue(set.peer()));
    env().userSecret("ext-operator", userCa, userCa.issue(set.operatorClient()));

    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
      assertThat(env().get(StatefulSet.class, "ext")).isNotNull();
      assertThat(condition(env().status("ext"), CERTIFICATES_READY).getStatus()).isEqualTo("True");
    });
    assertThat(env().get(StatefulSet.class, "ext").getSpec().getTemplate().getSpec().getVolumes())
        .extracting(v -> v.getSecret().getSecretName()).containsExactlyInAnyOrder("ext-server", "ext-peer");
    assertThat(env().get(Secret.class, "ext-ca")).as("no CA of our own in External mode").isNull();

    // cert-manager replaces its CA: members read their trusted CAs only at start, so the pod template changes
    // (the StatefulSet's OnDelete rollout then restarts them one at a time).
    String before = trustGeneration(env().get(StatefulSet.class, "ext"));
    assertThat(before).isNotBlank();
    CertificateAuthority newCa = CertificateAuthority.create("user-ca-2", KeyAlgorithm.ECDSA_P256,
        Duration.ofDays(30), Clock.systemUTC());
    env().userSecret("ext-server", newCa, newCa.issue(set.server()));
    env().userSecret("ext-peer", newCa, newCa.issue(set.peer()));
    env().userSecret("ext-operator", newCa, newCa.issue(set.operatorClient()));
    await().atMost(WAIT).untilAsserted(() -> assertThat(trustGeneration(env().get(StatefulSet.class, "ext")))
        .isNotBlank().isNotEqualTo(before));
  }

  /**
   * A certificate problem on a running cluster (here: a CA Secret that no longer parses) is reported in status, and
   * Ready turns False; the operator does not fail every reconcile while it lasts, nor mint a new CA.
   */
  @Test
  void anUnreadableCaOnARunningClusterIsReportedNotThrown(@TempDir Path dir) {
    env().create("broken-ca", spec -> {});
    await().atMost(WAIT).until(() -> env().get(StatefulSet.class, "broken-ca") != null);
    env().etcd().put("broken-ca", env().tlsMembers("broken-ca", 3, dir).start());
    for (int i = 0; i < 3; i++) {
      env().runReadyPod("broken-ca", i);
    }
    await().atMost(WAIT).untilAsserted(() -> assertThat(condition(env().status("broken-ca"), READY).getStatus())
        .isEqualTo("True"));

    Secret ca = env().get(Secret.class, "broken-ca-ca");
    ca.setData(Map.of(TlsSecretBuilder.CA_CERT, base64("not a certificate"), TlsSecretBuilder.CA_KEY,
        base64("not a key")));
    env().client().secrets().inNamespace(NS).resource(ca).update();

    await().atMost(WAIT).untilAsserted(() -> {
      EtcdClusterStatus status = env().status("broken-ca");
      Condition certificates = condition(status, CERTIFICATES_READY);
      assertThat(certificates.getStatus()).isEqualTo("False");
      assertThat(certificates.getReason()).isEqualTo("CAUnreadable");
      assertThat(condition(status, READY).getStatus()).isEqualTo("False");
      // The operator cannot ask etcd, so it does not claim to know whether the cluster serves.
      assertThat(condition(status, AVAILABLE).getStatus()).isEqualTo("Unknown");
      assertThat(condition(status, DEGRADED).getReason()).isEqualTo("CertificatesNotReady");
      assertThat(status.getMembers()).extracting(MemberStatus::getName)
          .containsExactly("broken-ca-0", "broken-ca-1", "broken-ca-2");
    });
    assertThat(TlsSecretBuilder.text(env().get(Secret.class, "broken-ca-ca"), TlsSecretBuilder.CA_CERT))
        .as("no new CA is minted over an unreadable one").isEqualTo("not a certificate");
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String trustGeneration(StatefulSet sts) {
    return sts.getSpec().getTemplate().getMetadata().getAnnotations()
        .get(dev.etcdoperator.resources.MemberTls.TRUST_GENERATION_ANNOTATION);
  }

  @Test
  void applicationsGetClientCertificatesFromTheClusterCa() {
    TlsSpec withClients = tls(TlsSpec.Mode.Operator);
    TlsSpec.ClientCertificate billing = new TlsSpec.ClientCertificate();
    billing.setName("billing");
    withClients.setClientCertificates(List.of(billing));
    env().create("apps", spec -> spec.getSpec().setTls(withClients));

    await().atMost(WAIT).until(() -> env().get(Secret.class, "apps-client-billing") != null);
    Secret secret = env().get(Secret.class, "apps-client-billing");
    CertificateInfo certificate = CertificateInfo.parse(TlsSecretBuilder.text(secret, TlsSecretBuilder.TLS_CERT));
    assertThat(certificate.subjectCommonName()).isEqualTo("billing");
    assertThat(certificate.issuerCommonName()).isEqualTo("apps-ca");
    assertThat(TlsSecretBuilder.text(secret, TlsSecretBuilder.CA_CERT))
        .isEqualTo(TlsSecretBuilder.text(env().get(Secret.class, "apps-ca"), TlsSecretBuilder.CA_CERT));
    assertThat(TlsSecretBuilder.text(secret, TlsSecretBuilder.TLS_KEY)).startsWith("-----BEGIN PRIVATE KEY-----");
  }
}
