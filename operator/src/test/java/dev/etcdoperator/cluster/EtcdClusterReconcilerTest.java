package dev.etcdoperator.cluster;

import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.AVAILABLE;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.CERTIFICATES_READY;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.DEGRADED;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.PROGRESSING;
import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.READY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.EtcdOperator;
import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.EtcdTuning;
import dev.etcdoperator.api.v1alpha1.MemberStatus;
import dev.etcdoperator.api.v1alpha1.TlsSpec;
import dev.etcdoperator.pki.CertificateAuthority;
import dev.etcdoperator.pki.CertificateInfo;
import dev.etcdoperator.pki.EtcdCertificateSet;
import dev.etcdoperator.pki.IssuedCertificate;
import dev.etcdoperator.pki.KeyAlgorithm;
import dev.etcdoperator.pki.TlsMemberFiles;
import dev.etcdoperator.resources.TlsSecretBuilder;
import dev.etcdoperator.config.OperatorConfig;
import dev.etcdoperator.support.ConditionSet;
import dev.etcdoperator.support.EtcdVersion;
import dev.etcdoperator.testing.EtcdProcessCluster;
import dev.etcdoperator.testing.TestApiServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real JOSDK operator against a Kubernetes API stand-in (Fabric8's mock server in CRUD mode, in its own
 * process), with real etcd processes behind the EtcdClient where a scenario needs a running cluster.
 */
class EtcdClusterReconcilerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NS = "reconciler-test";

  /** Pods of cluster "real" are answered by real etcd processes; every other cluster has no reachable member. */
  private static final Map<String, EtcdProcessCluster> ETCD = new HashMap<>();

  private static TestApiServer apiServer;
  private static KubernetesClient client;
  private static EtcdOperator operator;

  @BeforeAll
  static void startOperator() {
    apiServer = TestApiServer.start();
    client = apiServer.client();
    apiServer.installCrds();
    OperatorConfig config = new OperatorConfig(Set.of(), new EtcdVersion(3, 4, 23), "gcr.io/etcd-development/etcd",
        OperatorConfig.MemberAccess.DIRECT, Duration.ofSeconds(2), Duration.ofSeconds(2), 0, false, "lease", NS,
        "test-operator", "cluster.local");
    MemberEndpoints endpoints = (cluster, pods) -> {
      EtcdProcessCluster etcd = ETCD.get(cluster.getMetadata().getName());
      Map<String, URI> urls = new HashMap<>();
      for (Pod pod : pods) {
        String name = pod.getMetadata().getName();
        int ordinal = Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
        urls.put(name, etcd != null ? etcd.clientUrl(ordinal) : URI.create("http://127.0.0.1:1"));
      }
      return urls;
    };
    operator = new EtcdOperator(client, config, endpoints, Clock.systemUTC(), () -> {
      throw new AssertionError("leader election is off in this test");
    });
    operator.start();
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    ETCD.values().forEach(EtcdProcessCluster::close);
    if (apiServer != null) {
      apiServer.close();
    }
  }

  @Test
  void createsEveryOwnedObjectWithAnOwnerReference() {
    EtcdCluster cluster = create("alpha", spec -> {});

    await().atMost(WAIT).untilAsserted(() -> {
      for (HasMetadata owned : Arrays.asList(
          get(StatefulSet.class, "alpha"), get(Service.class, "alpha"), get(Service.class, "alpha-peer"),
          get(ConfigMap.class, "alpha-config"), get(PodDisruptionBudget.class, "alpha"),
          get(Secret.class, "alpha-ca"), get(Secret.class, "alpha-server-tls"), get(Secret.class, "alpha-peer-tls"),
          get(Secret.class, "alpha-operator-client-tls"))) {
        assertThat(owned).as("owned object").isNotNull();
        OwnerReference owner = owned.getMetadata().getOwnerReferences().get(0);
        assertThat(owner.getUid()).isEqualTo(cluster.getMetadata().getUid());
        assertThat(owner.getKind()).isEqualTo("EtcdCluster");
        assertThat(owner.getController()).isTrue();
      }
    });
    StatefulSet sts = get(StatefulSet.class, "alpha");
    assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
    assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
    assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
    assertThat(get(ConfigMap.class, "alpha-config").getData())
        .containsEntry("initial-cluster-state", "new")
        .containsEntry("initial-cluster", "alpha-0=https://alpha-0.alpha-peer." + NS + ".svc:2380,"
            + "alpha-1=https://alpha-1.alpha-peer." + NS + ".svc:2380,alpha-2=https://alpha-2.alpha-peer." + NS
            + ".svc:2380");
    assertThat(get(PodDisruptionBudget.class, "alpha").getSpec().getMinAvailable().getIntVal()).isEqualTo(2);
    // TLS is on by default: members mount their certificates (never the CA key) and require client certificates.
    assertThat(sts.getSpec().getTemplate().getSpec().getVolumes()).extracting(v -> v.getSecret().getSecretName())
        .containsExactlyInAnyOrder("alpha-server-tls", "alpha-peer-tls");
    assertThat(etcdArgs("alpha")).contains("--client-cert-auth=true", "--peer-client-cert-auth=true",
        "--peer-cert-allowed-cn=alpha-peer",
        "--listen-peer-urls=https://$(POD_IP):2380");

    await().atMost(WAIT).untilAsserted(() -> {
      EtcdClusterStatus status = status("alpha");
      assertThat(status.getSelector()).isEqualTo("app.kubernetes.io/name=etcd,app.kubernetes.io/instance=alpha,"
          + "app.kubernetes.io/managed-by=etcd-operator,app.kubernetes.io/component=member");
      assertThat(condition(status, READY).getStatus()).isEqualTo("False");
      assertThat(condition(status, PROGRESSING).getReason()).isEqualTo("Bootstrapping");
      assertThat(condition(status, DEGRADED).getStatus()).isEqualTo("False");
      assertThat(status.getObservedGeneration()).isEqualTo(cluster.getMetadata().getGeneration());
      assertThat(condition(status, CERTIFICATES_READY).getStatus()).isEqualTo("True");
      assertThat(status.getCertificates()).extracting(c -> c.getName())
          .containsExactly("ca", "server", "peer", "operator-client");
      assertThat(status.getCertificates()).allSatisfy(c -> assertThat(c.getNotAfter()).isNotBlank());
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(eventsAbout("alpha"))
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("CertificatesIssued")));
  }

  @Test
  void specChangesAndHandEditsAreFollowed() {
    create("beta", spec -> {});
    await().atMost(WAIT).until(() -> get(StatefulSet.class, "beta") != null);

    editSpec("beta", c -> {
      EtcdTuning tuning = new EtcdTuning();
      tuning.setSnapshotCount(5000L);
      tuning.setExtraArgs(Map.of("experimental-corrupt-check-time", "4h"));
      c.getSpec().setEtcd(tuning);
      return c;
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(etcdArgs("beta"))
        .contains("--snapshot-count=5000", "--experimental-corrupt-check-time=4h"));

    // Someone changes a field we own by hand: the operator puts it back. (Fields others add stay theirs, as
    // server-side apply keeps them on a real API server too.)
    client.services().inNamespace(NS).withName("beta").edit(s -> {
      s.getSpec().getSelector().put("app.kubernetes.io/instance", "someone-else");
      return s;
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(get(Service.class, "beta").getSpec().getSelector())
        .containsEntry("app.kubernetes.io/instance", "beta"));
  }

  @Test
  void invalidSpecIsReportedWithAnEventAndChangesNothing() {
    create("gamma", spec -> {});
    await().atMost(WAIT).until(() -> get(StatefulSet.class, "gamma") != null);
    String before = get(StatefulSet.class, "gamma").getMetadata().getResourceVersion();

    // The mock API server does not evaluate CEL, so the operator's own validation must catch these.
    editSpec("gamma", c -> {
      c.getSpec().setReplicas(4);
      EtcdTuning tuning = new EtcdTuning();
      tuning.setExtraArgs(Map.of("initial-cluster-state", "new", "snapshot-count", "10"));
      c.getSpec().setEtcd(tuning);
      return c;
    });

    await().atMost(WAIT).untilAsserted(() -> {
      Condition degraded = condition(status("gamma"), DEGRADED);
      assertThat(degraded.getStatus()).isEqualTo("True");
      assertThat(degraded.getReason()).isEqualTo("InvalidSpec");
      assertThat(degraded.getMessage()).contains("spec.replicas must be 1, 3, 5, 7 or 9, got 4")
          .contains("initial-cluster-state, snapshot-count");
      assertThat(condition(status("gamma"), READY).getReason()).isEqualTo("InvalidSpec");
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(client.v1().events().inNamespace(NS).list().getItems())
        .anySatisfy(e -> {
          assertThat(e.getInvolvedObject().getName()).isEqualTo("gamma");
          assertThat(e.getType()).isEqualTo("Warning");
          assertThat(e.getReason()).isEqualTo("InvalidSpec");
        }));
    assertThat(get(StatefulSet.class, "gamma").getMetadata().getResourceVersion()).isEqualTo(before);
    assertThat(get(StatefulSet.class, "gamma").getSpec().getReplicas()).isEqualTo(3);
  }

  @Test
  void newClusterWithAnInvalidSpecCreatesNothing() {
    create("delta", spec -> spec.getSpec().setVersion("3.3.27"));

    await().atMost(WAIT).untilAsserted(() -> assertThat(condition(status("delta"), DEGRADED).getMessage())
        .contains("3.3.27 is not supported"));
    assertThat(get(StatefulSet.class, "delta")).isNull();
    assertThat(get(ConfigMap.class, "delta-config")).isNull();
  }

  @Test
  void pausedClusterKeepsItsObjectsButReportsStatus() {
    create("epsilon", spec -> {});
    await().atMost(WAIT).until(() -> get(StatefulSet.class, "epsilon") != null);

    editSpec("epsilon", c -> {
      c.getSpec().setPaused(true);
      EtcdTuning tuning = new EtcdTuning();
      tuning.setSnapshotCount(777L);
      c.getSpec().setEtcd(tuning);
      return c;
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(condition(status("epsilon"), PROGRESSING).getReason())
        .isEqualTo("Paused"));
    assertThat(etcdArgs("epsilon")).doesNotContain("--snapshot-count=777");

    editSpec("epsilon", c -> {
      c.getSpec().setPaused(false);
      return c;
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(etcdArgs("epsilon")).contains("--snapshot-count=777"));
  }

  @Test
  void statusShowsARealThreeMemberClusterWithOneLeader(@org.junit.jupiter.api.io.TempDir Path dir) {
    create("real", spec -> {});
    await().atMost(WAIT).until(() -> get(StatefulSet.class, "real") != null);
    // The members present certificates from the CA the operator created, so status can only be read if etcd
    // accepts the operator's own client certificate.
    ETCD.put("real", tlsMembers("real", 3, dir).start());
    // The mock API server runs no kubelet: the pods the StatefulSet would create are made here, running and ready.
    for (int i = 0; i < 3; i++) {
      runReadyPod("real", i);
    }

    await().atMost(WAIT).untilAsserted(() -> {
      EtcdClusterStatus status = status("real");
      assertThat(status.getMembers()).extracting(MemberStatus::getName)
          .containsExactly("real-0", "real-1", "real-2");
      assertThat(status.getMembers()).allSatisfy(m -> {
        assertThat(m.getHealthy()).isTrue();
        assertThat(m.getLearner()).isFalse();
        assertThat(m.getVersion()).isEqualTo("3.4.23");
        assertThat(m.getDbSize()).isPositive();
      });
      assertThat(status.getMembers()).filteredOn(m -> Boolean.TRUE.equals(m.getLeader())).hasSize(1);
      String leader = status.getMembers().stream().filter(m -> Boolean.TRUE.equals(m.getLeader())).findFirst().orElseThrow()
          .getName();
      assertThat(status.getLeader()).isEqualTo(leader);
      assertThat(status.getClusterID()).matches("[0-9a-f]+");
      assertThat(status.getCurrentVersion()).isEqualTo("3.4.23");
      assertThat(status.getReadyReplicas()).isEqualTo(3);
      assertThat(condition(status, READY).getStatus()).isEqualTo("True");
      assertThat(condition(status, AVAILABLE).getStatus()).isEqualTo("True");
      assertThat(condition(status, DEGRADED).getStatus()).isEqualTo("False");
    });
    // The cluster has formed: no member may ever start with initial-cluster-state=new again.
    await().atMost(WAIT).untilAsserted(() -> assertThat(get(ConfigMap.class, "real-config").getData())
        .containsEntry("initial-cluster-state", "existing"));

    await().atMost(WAIT).untilAsserted(() -> assertThat(eventsAbout("real")).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo("ClusterFormed");
      assertThat(e.getMessage()).contains(status("real").getClusterID()).contains("3 members");
    }));

    // A member dies: Available stays (quorum holds), Ready and Degraded say which member.
    String readySince = condition(status("real"), AVAILABLE).getLastTransitionTime();
    ETCD.get("real").kill(2);
    await().atMost(WAIT).untilAsserted(() -> {
      EtcdClusterStatus status = status("real");
      assertThat(status.getMembers()).filteredOn(m -> m.getName().equals("real-2"))
          .singleElement().satisfies(m -> assertThat(m.getHealthy()).isFalse());
      assertThat(condition(status, DEGRADED).getReason()).isEqualTo("MembersUnhealthy");
      assertThat(condition(status, READY).getStatus()).isEqualTo("False");
      assertThat(condition(status, AVAILABLE).getStatus()).isEqualTo("True");
      assertThat(condition(status, AVAILABLE).getLastTransitionTime()).isEqualTo(readySince);
    });
  }

  @Test
  void replicasChangeOnAFormedClusterIsReportedAndTheStatefulSetKeepsItsSize(@org.junit.jupiter.api.io.TempDir Path dir) {
    ETCD.put("solo", EtcdProcessCluster.builder(dir).members(1).namePrefix("solo").start());
    create("solo", spec -> {
      spec.getSpec().setReplicas(1);
      spec.getSpec().setTls(tls(TlsSpec.Mode.Disabled));
    });
    await().atMost(WAIT).until(() -> get(StatefulSet.class, "solo") != null);
    runReadyPod("solo", 0);
    await().atMost(WAIT).untilAsserted(() -> assertThat(condition(status("solo"), READY).getStatus()).isEqualTo("True"));

    editSpec("solo", c -> {
      c.getSpec().setReplicas(3);
      return c;
    });

    await().atMost(WAIT).untilAsserted(() -> {
      Condition progressing = condition(status("solo"), PROGRESSING);
      assertThat(progressing.getStatus()).isEqualTo("False");
      assertThat(progressing.getReason()).isEqualTo("MembershipChangeNotSupported");
      assertThat(progressing.getMessage()).contains("spec.replicas is 3 but the cluster has 1 members");
    });
    assertThat(get(StatefulSet.class, "solo").getSpec().getReplicas()).isEqualTo(1);
    assertThat(condition(status("solo"), AVAILABLE).getStatus()).isEqualTo("True");
    // TLS off, as asked explicitly: plain URLs, and a warning that stays visible.
    assertThat(etcdArgs("solo")).contains("--listen-peer-urls=http://$(POD_IP):2380")
        .noneMatch(a -> a.startsWith("--cert-file"));
    assertThat(condition(status("solo"), CERTIFICATES_READY).getReason()).isEqualTo("TLSDisabled");
    assertThat(eventsAbout("solo")).anySatisfy(e -> {
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getReason()).isEqualTo("TLSDisabled");
    });
  }

  @Test
  void externalCertificatesAreCheckedBeforeAnyMemberStarts() {
    TlsSpec external = tls(TlsSpec.Mode.External);
    external.setExternal(new TlsSpec.ExternalTls());
    external.getExternal().setServerSecretName("ext-server");
    external.getExternal().setPeerSecretName("ext-peer");
    external.getExternal().setOperatorClientSecretName("ext-operator");
    create("ext", spec -> spec.getSpec().setTls(external));

    await().atMost(WAIT).untilAsserted(() -> {
      Condition certificates = condition(status("ext"), CERTIFICATES_READY);
      assertThat(certificates.getStatus()).isEqualTo("False");
      assertThat(certificates.getReason()).isEqualTo("InvalidCertificates");
      assertThat(certificates.getMessage()).contains("Secret ext-server (server) does not exist");
      assertThat(condition(status("ext"), PROGRESSING).getReason()).isEqualTo("CertificatesNotReady");
    });
    assertThat(get(StatefulSet.class, "ext")).isNull();

    // Secrets as cert-manager would write them, from the user's own CA: accepted and mounted as they are.
    CertificateAuthority userCa = CertificateAuthority.create("user-ca", KeyAlgorithm.ECDSA_P256,
        Duration.ofDays(30), Clock.systemUTC());
    EtcdCertificateSet set = new EtcdCertificateSet("ext", NS, "cluster.local", KeyAlgorithm.ECDSA_P256,
        Duration.ofDays(30), Duration.ofDays(10));
    userSecret("ext-server", userCa, userCa.issue(set.server()));
    userSecret("ext-peer", userCa, userCa.issue(set.peer()));
    userSecret("ext-operator", userCa, userCa.issue(set.operatorClient()));

    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
      assertThat(get(StatefulSet.class, "ext")).isNotNull();
      assertThat(condition(status("ext"), CERTIFICATES_READY).getStatus()).isEqualTo("True");
    });
    assertThat(get(StatefulSet.class, "ext").getSpec().getTemplate().getSpec().getVolumes())
        .extracting(v -> v.getSecret().getSecretName()).containsExactlyInAnyOrder("ext-server", "ext-peer");
    assertThat(get(Secret.class, "ext-ca")).as("no CA of our own in External mode").isNull();
  }

  @Test
  void applicationsGetClientCertificatesFromTheClusterCa() {
    TlsSpec withClients = tls(TlsSpec.Mode.Operator);
    TlsSpec.ClientCertificate billing = new TlsSpec.ClientCertificate();
    billing.setName("billing");
    withClients.setClientCertificates(List.of(billing));
    create("apps", spec -> spec.getSpec().setTls(withClients));

    await().atMost(WAIT).until(() -> get(Secret.class, "apps-client-billing") != null);
    Secret secret = get(Secret.class, "apps-client-billing");
    CertificateInfo certificate = CertificateInfo.parse(TlsSecretBuilder.text(secret, TlsSecretBuilder.TLS_CERT));
    assertThat(certificate.subjectCommonName()).isEqualTo("billing");
    assertThat(certificate.issuerCommonName()).isEqualTo("apps-ca");
    assertThat(TlsSecretBuilder.text(secret, TlsSecretBuilder.CA_CERT))
        .isEqualTo(TlsSecretBuilder.text(get(Secret.class, "apps-ca"), TlsSecretBuilder.CA_CERT));
    assertThat(TlsSecretBuilder.text(secret, TlsSecretBuilder.TLS_KEY)).startsWith("-----BEGIN PRIVATE KEY-----");
  }

  /** Real TLS members whose certificates come from the CA the operator keeps for {@code cluster}. */
  private static EtcdProcessCluster.Builder tlsMembers(String cluster, int members, Path dir) {
    await().atMost(WAIT).until(() -> get(Secret.class, cluster + "-ca") != null);
    Secret caSecret = get(Secret.class, cluster + "-ca");
    CertificateAuthority ca = CertificateAuthority.fromPem(TlsSecretBuilder.text(caSecret, TlsSecretBuilder.CA_CERT),
        TlsSecretBuilder.text(caSecret, TlsSecretBuilder.CA_KEY), Clock.systemUTC());
    EtcdCertificateSet set = new EtcdCertificateSet(cluster, NS, "cluster.local", KeyAlgorithm.ECDSA_P256,
        Duration.ofDays(30), Duration.ofDays(10));
    return new TlsMemberFiles(dir.resolve("pki"), ca.certificatePem(), set, ca::issue)
        .configure(EtcdProcessCluster.builder(dir.resolve("etcd")).members(members).namePrefix(cluster));
  }

  private static void userSecret(String name, CertificateAuthority ca, IssuedCertificate issued) {
    client.secrets().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
        .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
        .withType("kubernetes.io/tls")
        .addToStringData(TlsSecretBuilder.TLS_CERT, issued.certificatePem())
        .addToStringData(TlsSecretBuilder.TLS_KEY, issued.privateKeyPem())
        .addToStringData(TlsSecretBuilder.CA_CERT, ca.certificatePem())
        .build()).create();
  }

  private static TlsSpec tls(TlsSpec.Mode mode) {
    TlsSpec tls = new TlsSpec();
    tls.setMode(mode);
    return tls;
  }

  @Test
  void growingStorageExpandsEveryMemberVolumeAndKeepsThePods() {
    create("zeta", spec -> spec.getSpec().setStorage(storage("1Gi")));
    await().atMost(WAIT).until(() -> get(StatefulSet.class, "zeta") != null);
    StatefulSet before = get(StatefulSet.class, "zeta");
    // The StatefulSet controller is not running: make the claims it would have made from the template.
    for (int i = 0; i < 3; i++) {
      var template = before.getSpec().getVolumeClaimTemplates().get(0);
      client.persistentVolumeClaims().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder()
          .withNewMetadata().withName("data-zeta-" + i).withLabels(template.getMetadata().getLabels()).endMetadata()
          .withSpec(template.getSpec()).build()).create();
    }

    editSpec("zeta", c -> {
      c.getSpec().setStorage(storage("2Gi"));
      return c;
    });

    await().atMost(WAIT).untilAsserted(() -> {
      StatefulSet after = get(StatefulSet.class, "zeta");
      assertThat(after).isNotNull();
      assertThat(after.getMetadata().getUid()).isNotEqualTo(before.getMetadata().getUid());
      assertThat(after.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests()
          .get("storage")).hasToString("2Gi");
    });
    for (int i = 0; i < 3; i++) {
      assertThat(client.persistentVolumeClaims().inNamespace(NS).withName("data-zeta-" + i).get().getSpec()
          .getResources().getRequests().get("storage")).hasToString("2Gi");
    }
    await().atMost(WAIT).untilAsserted(() -> assertThat(eventsAbout("zeta")).noneSatisfy(
        e -> assertThat(e.getType()).isEqualTo("Warning")));
  }

  private static dev.etcdoperator.api.v1alpha1.StorageSpec storage(String size) {
    var storage = new dev.etcdoperator.api.v1alpha1.StorageSpec();
    storage.setSize(size);
    return storage;
  }

  private static List<io.fabric8.kubernetes.api.model.Event> eventsAbout(String cluster) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> cluster.equals(e.getInvolvedObject().getName())).toList();
  }

  private static void runReadyPod(String cluster, int ordinal) {
    StatefulSet sts = get(StatefulSet.class, cluster);
    Pod pod = new PodBuilder().withNewMetadata().withName(cluster + "-" + ordinal).withNamespace(NS)
        .withLabels(sts.getSpec().getTemplate().getMetadata().getLabels()).endMetadata()
        .withSpec(sts.getSpec().getTemplate().getSpec()).build();
    Pod created = client.pods().inNamespace(NS).resource(pod).create();
    created.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running")
        .addNewCondition().withType("Ready").withStatus("True").endCondition().build());
    client.pods().inNamespace(NS).resource(created).updateStatus();
  }

  private static EtcdCluster create(String name, Consumer<EtcdCluster> customize) {
    EtcdCluster cluster = new EtcdCluster();
    cluster.getMetadata().setName(name);
    cluster.getMetadata().setNamespace(NS);
    cluster.setSpec(new dev.etcdoperator.api.v1alpha1.EtcdClusterSpec());
    cluster.setStatus(null);
    customize.accept(cluster);
    return client.resources(EtcdCluster.class).inNamespace(NS).resource(cluster).create();
  }

  /** Edits the spec, retrying when the operator's status write got in between (409), as kubectl does. */
  private static void editSpec(String name, java.util.function.UnaryOperator<EtcdCluster> change) {
    await().atMost(WAIT).ignoreException(io.fabric8.kubernetes.client.KubernetesClientException.class)
        .until(() -> resource(name).edit(change) != null);
  }

  private static Resource<EtcdCluster> resource(String name) {
    return client.resources(EtcdCluster.class).inNamespace(NS).withName(name);
  }

  private static EtcdClusterStatus status(String name) {
    EtcdCluster cluster = resource(name).get();
    assertThat(cluster.getStatus()).as("status of %s", name).isNotNull();
    return cluster.getStatus();
  }

  private static Condition condition(EtcdClusterStatus status, String type) {
    return ConditionSet.find(status.getConditions(), type).orElseThrow(() -> new AssertionError("no " + type));
  }

  private static List<String> etcdArgs(String cluster) {
    return get(StatefulSet.class, cluster).getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
  }

  private static <T extends HasMetadata> T get(Class<T> type, String name) {
    return client.resources(type).inNamespace(NS).withName(name).get();
  }
}
