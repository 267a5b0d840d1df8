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
import static dev.etcdoperator.testing.OperatorTestEnvironment.storage;
import static dev.etcdoperator.testing.OperatorTestEnvironment.tls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterStatus;
import dev.etcdoperator.api.v1alpha1.EtcdTuning;
import dev.etcdoperator.api.v1alpha1.MemberStatus;
import dev.etcdoperator.api.v1alpha1.TlsSpec;
import dev.etcdoperator.etcd.EtcdClient;
import dev.etcdoperator.etcd.EtcdConnection;
import dev.etcdoperator.etcd.EtcdMember;
import dev.etcdoperator.support.ConditionSet;
import dev.etcdoperator.testing.EtcdProcessCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real JOSDK operator (see {@link OperatorTestEnvironment}) creating, following and reporting on clusters:
 * owned objects, spec changes and hand edits, invalid specs, pausing, storage growth, and the status of real
 * etcd members. TLS-only scenarios are in {@link ClusterTlsReconcilerTest}.
 */
class EtcdClusterReconcilerTest {
  private static final String NS = "reconciler-test";

  @RegisterExtension
  static final OperatorPerClass OPERATOR = new OperatorPerClass(NS);

  private static OperatorTestEnvironment env() {
    return OPERATOR.env();
  }

  @Test
  void createsEveryOwnedObjectWithAnOwnerReference() {
    EtcdCluster cluster = env().create("alpha", spec -> {});

    await().atMost(WAIT).untilAsserted(() -> {
      for (HasMetadata owned : Arrays.asList(
          env().get(StatefulSet.class, "alpha"), env().get(Service.class, "alpha"), env().get(Service.class, "alpha-peer"),
          env().get(ConfigMap.class, "alpha-config"), env().get(PodDisruptionBudget.class, "alpha"),
          env().get(Secret.class, "alpha-ca"), env().get(Secret.class, "alpha-server-tls"),
          env().get(Secret.class, "alpha-peer-tls"),
          env().get(Secret.class, "alpha-operator-client-tls"))) {
        assertThat(owned).as("owned object").isNotNull();
        OwnerReference owner = owned.getMetadata().getOwnerReferences().get(0);
        assertThat(owner.getUid()).isEqualTo(cluster.getMetadata().getUid());
        assertThat(owner.getKind()).isEqualTo("EtcdCluster");
        assertThat(owner.getController()).isTrue();
      }
    });
    StatefulSet sts = env().get(StatefulSet.class, "alpha");
    assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
    assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
    assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
    assertThat(env().get(ConfigMap.class, "alpha-config").getData())
        .containsEntry("initial-cluster-state", "new")
        .containsEntry("initial-cluster", "alpha-0=https://alpha-0.alpha-peer." + NS + ".svc:2380,"
            + "alpha-1=https://alpha-1.alpha-peer." + NS + ".svc:2380,alpha-2=https://alpha-2.alpha-peer." + NS
            + ".svc:2380");
    assertThat(env().get(PodDisruptionBudget.class, "alpha").getSpec().getMinAvailable().getIntVal()).isEqualTo(2);
    // TLS is on by default: members mount their certificates (never the CA key) and require client certificates.
    assertThat(sts.getSpec().getTemplate().getSpec().getVolumes()).extracting(v -> v.getSecret().getSecretName())
        .containsExactlyInAnyOrder("alpha-server-tls", "alpha-peer-tls");
    assertThat(env().etcdArgs("alpha")).contains("--client-cert-auth=true", "--peer-client-cert-auth=true",
        "--peer-cert-allowed-cn=alpha-peer",
        "--listen-peer-urls=https://$(POD_IP):2380");

    await().atMost(WAIT).untilAsserted(() -> {
      EtcdClusterStatus status = env().status("alpha");
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
    await().atMost(WAIT).untilAsserted(() -> assertThat(env().eventsAbout("alpha"))
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("CertificatesIssued")));
  }

  @Test
  void specChangesAndHandEditsAreFollowed() {
    env().create("beta", spec -> {});
    await().atMost(WAIT).until(() -> env().get(StatefulSet.class, "beta") != null);

    env().editSpec("beta", c -> {
      EtcdTuning tuning = new EtcdTuning();
      tuning.setSnapshotCount(5000L);
      tuning.setExtraArgs(Map.of("experimental-corrupt-check-time", "4h"));
      c.getSpec().setEtcd(tuning);
      return c;
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(env().etcdArgs("beta"))
        .contains("--snapshot-count=5000", "--experimental-corrupt-check-time=4h"));

    // Someone changes a field we own by hand: the operator puts it back. (Fields others add stay theirs, as
    // server-side apply keeps them on a real API server too.)
    env().client().services().inNamespace(NS).withName("beta").edit(s -> {
      s.getSpec().getSelector().put("app.kubernetes.io/instance", "someone-else");
      return s;
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(env().get(Service.class, "beta").getSpec().getSelector())
        .containsEntry("app.kubernetes.io/instance", "beta"));
  }

  @Test
  void invalidSpecIsReportedWithAnEventAndChangesNothing() {
    env().create("gamma", spec -> {});
    await().atMost(WAIT).until(() -> env().get(StatefulSet.class, "gamma") != null);
    String before = env().get(StatefulSet.class, "gamma").getMetadata().getResourceVersion();

    // The mock API server does not evaluate CEL, so the operator's own validation must catch these.
    env().editSpec("gamma", c -> {
      c.getSpec().setReplicas(4);
      EtcdTuning tuning = new EtcdTuning();
      tuning.setExtraArgs(Map.of("initial-cluster-state", "new", "snapshot-count", "10"));
      c.getSpec().setEtcd(tuning);
      return c;
    });

    await().atMost(WAIT).untilAsserted(() -> {
      Condition degraded = condition(env().status("gamma"), DEGRADED);
      assertThat(degraded.getStatus()).isEqualTo("True");
      assertThat(degraded.getReason()).isEqualTo("InvalidSpec");
      assertThat(degraded.getMessage()).contains("spec.replicas must be 1, 3, 5, 7 or 9, got 4")
          .contains("initial-cluster-state, snapshot-count");
      assertThat(condition(env().status("gamma"), READY).getReason()).isEqualTo("InvalidSpec");
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(env().client().v1().events().inNamespace(NS).list().getItems())
        .anySatisfy(e -> {
          assertThat(e.getInvolvedObject().getName()).isEqualTo("gamma");
          assertThat(e.getType()).isEqualTo("Warning");
          assertThat(e.getReason()).isEqualTo("InvalidSpec");
        }));
    assertThat(env().get(StatefulSet.class, "gamma").getMetadata().getResourceVersion()).isEqualTo(before);
    assertThat(env().get(StatefulSet.class, "gamma").getSpec().getReplicas()).isEqualTo(3);
  }

  @Test
  void newClusterWithAnInvalidSpecCreatesNothing() {
    env().create("delta", spec -> spec.getSpec().setVersion("3.3.27"));

    await().atMost(WAIT).untilAsserted(() -> assertThat(condition(env().status("delta"), DEGRADED).getMessage())
        .contains("3.3.27 is not supported"));
    assertThat(env().get(StatefulSet.class, "delta")).isNull();
    assertThat(env().get(ConfigMap.class, "delta-config")).isNull();
  }

  @Test
  void pausedClusterKeepsItsObjectsButReportsStatus() {
    env().create("epsilon", spec -> {});
    await().atMost(WAIT).until(() -> env().get(StatefulSet.class, "epsilon") != null);

    env().editSpec("epsilon", c -> {
      c.getSpec().setPaused(true);
      EtcdTuning tuning = new EtcdTuning();
      tuning.setSnapshotCount(777L);
      c.getSpec().setEtcd(tuning);
      return c;
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(condition(env().status("epsilon"), PROGRESSING).getReason())
        .isEqualTo("Paused"));
    assertThat(env().etcdArgs("epsilon")).doesNotContain("--snapshot-count=777");

    env().editSpec("epsilon", c -> {
      c.getSpec().setPaused(false);
      return c;
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(env().etcdArgs("epsilon")).contains("--snapshot-count=777"));
  }

  @Test
  void statusShowsARealThreeMemberClusterWithOneLeader(@TempDir Path dir) {
    env().create("real", spec -> {});
    await().atMost(WAIT).until(() -> env().get(StatefulSet.class, "real") != null);
    // The members present certificates from the CA the operator created, so status can only be read if etcd
    // accepts the operator's own client certificate.
    env().etcd().put("real", env().tlsMembers("real", 3, dir).start());
    // The mock API server runs no kubelet: the pods the StatefulSet would create are made here, running and ready.
    for (int i = 0; i < 3; i++) {
      env().runReadyPod("real", i);
    }

    await().atMost(WAIT).untilAsserted(() -> {
      EtcdClusterStatus status = env().status("real");
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
    await().atMost(WAIT).untilAsserted(() -> assertThat(env().get(ConfigMap.class, "real-config").getData())
        .containsEntry("initial-cluster-state", "existing"));

    await().atMost(WAIT).untilAsserted(() -> assertThat(env().eventsAbout("real")).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo("ClusterFormed");
      assertThat(e.getMessage()).contains(env().status("real").getClusterID()).contains("3 members");
    }));

    // A follower dies: Available stays (quorum holds, and no election leaves the cluster without a leader for a
    // moment), Ready and Degraded say which member.
    String readySince = condition(env().status("real"), AVAILABLE).getLastTransitionTime();
    String leader = env().status("real").getLeader();
    int follower = leader.equals("real-2") ? 1 : 2;
    env().etcd().get("real").kill(follower);
    await().atMost(WAIT).untilAsserted(() -> {
      EtcdClusterStatus status = env().status("real");
      assertThat(status.getMembers()).filteredOn(m -> m.getName().equals("real-" + follower))
          .singleElement().satisfies(m -> assertThat(m.getHealthy()).isFalse());
      assertThat(condition(status, DEGRADED).getReason()).isEqualTo("MembersUnhealthy");
      assertThat(condition(status, READY).getStatus()).isEqualTo("False");
      assertThat(condition(status, AVAILABLE).getStatus()).isEqualTo("True");
      assertThat(condition(status, AVAILABLE).getLastTransitionTime()).isEqualTo(readySince);
    });
  }

  @Test
  void replicasRaisedOnAFormedClusterAddsOneLearnerAndRaisesTheStatefulSetByOne(@TempDir Path dir) {
    env().etcd().put("solo", EtcdProcessCluster.builder(dir).members(1).namePrefix("solo").start());
    env().create("solo", spec -> {
      spec.getSpec().setReplicas(1);
      spec.getSpec().setTls(tls(TlsSpec.Mode.Disabled));
    });
    await().atMost(WAIT).until(() -> env().get(StatefulSet.class, "solo") != null);
    env().runReadyPod("solo", 0);
    await().atMost(WAIT).untilAsserted(() -> assertThat(condition(env().status("solo"), READY).getStatus())
        .isEqualTo("True"));

    List<String> readySeen = new CopyOnWriteArrayList<>();
    List<String> progressingSeen = new CopyOnWriteArrayList<>();
    Watch watch = env().client().resources(EtcdCluster.class).inNamespace(NS).withName("solo")
        .watch(new Watcher<>() {
          @Override
          public void eventReceived(Action action, EtcdCluster resource) {
            readySeen.add(ConditionSet.find(resource.getStatus().getConditions(), READY)
                .map(Condition::getStatus).orElse("absent"));
            ConditionSet.find(resource.getStatus().getConditions(), PROGRESSING)
                .filter(c -> "True".equals(c.getStatus())).ifPresent(c -> progressingSeen.add(c.getReason()));
          }

          @Override
          public void onClose(WatcherException cause) {}
        });
    env().editSpec("solo", c -> {
      c.getSpec().setReplicas(3);
      return c;
    });

    // One member at a time: a learner for solo-1 in etcd, the StatefulSet raised to 2 for its pod, and the pod's
    // initial cluster naming both members. The learner never starts here (no pod runs), so it stays at that.
    await().atMost(WAIT).untilAsserted(() -> {
      Condition progressing = condition(env().status("solo"), PROGRESSING);
      assertThat(progressing.getStatus()).isEqualTo("True");
      assertThat(progressing.getReason()).isEqualTo("ScalingOut");
      assertThat(progressing.getMessage()).isEqualTo("waiting for learner solo-1 to start and catch up");
      assertThat(env().get(StatefulSet.class, "solo").getSpec().getReplicas()).isEqualTo(2);
    });
    try (EtcdClient etcd = EtcdClient.connect(EtcdConnection.plain(env().etcd().get("solo").clientUrls(),
        Duration.ofSeconds(5)))) {
      assertThat(etcd.listMembers().members()).hasSize(2).filteredOn(EtcdMember::learner).singleElement()
          .satisfies(m -> assertThat(m.peerUrls()).extracting(URI::getHost)
              .containsExactly("solo-1.solo-peer." + NS + ".svc"));
    }
    assertThat(env().status("solo").getMembershipChange()).satisfies(c -> {
      assertThat(c.getOperation()).isEqualTo("ScaleOut");
      assertThat(c.getMember()).isEqualTo("solo-1");
    });
    watch.close();
    // The budget for three members is written in the reconcile that adds the learner: the first progress shown is
    // the scale out, not an update of objects followed by the add one round trip later.
    assertThat(progressingSeen).as("Progressing reasons after the edit, watched").first().isEqualTo("ScalingOut");
    // The learner never starts here, so once the cluster said not Ready for three members it must not say Ready
    // again: not even while the intent is recorded from a status read a moment before (JOSDK does not cache the
    // operator's own last status write for its next reconcile).
    assertThat(String.join(" ", readySeen).replaceFirst("^(True )*", "")).as("Ready after the edit, watched")
        .doesNotContain("True");
    assertThat(env().get(ConfigMap.class, "solo-config").getData().get("initial-cluster"))
        .contains("solo-0=http://").contains(",solo-1=http://solo-1.solo-peer.");
    assertThat(env().eventsAbout("solo")).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("MemberAdded"));
    assertThat(condition(env().status("solo"), AVAILABLE).getStatus()).isEqualTo("True");
    // TLS off, as asked explicitly: plain URLs, and a warning that stays visible.
    assertThat(env().etcdArgs("solo")).contains("--listen-peer-urls=http://$(POD_IP):2380")
        .noneMatch(a -> a.startsWith("--cert-file"));
    assertThat(condition(env().status("solo"), CERTIFICATES_READY).getReason()).isEqualTo("TLSDisabled");
    assertThat(env().eventsAbout("solo")).anySatisfy(e -> {
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getReason()).isEqualTo("TLSDisabled");
    });
  }

  @Test
  void growingStorageExpandsEveryMemberVolumeAndKeepsThePods() {
    env().create("zeta", spec -> spec.getSpec().setStorage(storage("1Gi")));
    await().atMost(WAIT).until(() -> env().get(StatefulSet.class, "zeta") != null);
    StatefulSet before = env().get(StatefulSet.class, "zeta");
    // The StatefulSet controller is not running: make the claims it would have made from the template.
    for (int i = 0; i < 3; i++) {
      var template = before.getSpec().getVolumeClaimTemplates().get(0);
      env().client().persistentVolumeClaims().inNamespace(NS).resource(new PersistentVolumeClaimBuilder()
          .withNewMetadata().withName("data-zeta-" + i).withLabels(template.getMetadata().getLabels()).endMetadata()
          .withSpec(template.getSpec()).build()).create();
    }

    env().editSpec("zeta", c -> {
      c.getSpec().setStorage(storage("2Gi"));
      return c;
    });

    await().atMost(WAIT).untilAsserted(() -> {
      StatefulSet after = env().get(StatefulSet.class, "zeta");
      assertThat(after).isNotNull();
      assertThat(after.getMetadata().getUid()).isNotEqualTo(before.getMetadata().getUid());
      assertThat(after.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests()
          .get("storage")).hasToString("2Gi");
    });
    for (int i = 0; i < 3; i++) {
      assertThat(env().client().persistentVolumeClaims().inNamespace(NS).withName("data-zeta-" + i).get().getSpec()
          .getResources().getRequests().get("storage")).hasToString("2Gi");
    }
    await().atMost(WAIT).untilAsserted(() -> assertThat(env().eventsAbout("zeta")).noneSatisfy(
        e -> assertThat(e.getType()).isEqualTo("Warning")));
  }
}
