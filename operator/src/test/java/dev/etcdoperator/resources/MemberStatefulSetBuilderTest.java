package dev.etcdoperator.resources;

import static dev.etcdoperator.testing.TestClusters.assertOwnedObject;
import static dev.etcdoperator.testing.TestClusters.blueprint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdPodTemplate;
import dev.etcdoperator.api.v1alpha1.StorageSpec;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class MemberStatefulSetBuilderTest {

  private static StatefulSet build(Consumer<dev.etcdoperator.api.v1alpha1.EtcdClusterSpec> spec) {
    return MemberStatefulSetBuilder.build(blueprint("3.5.21", spec), 3);
  }

  private static PodSpec podSpec(StatefulSet sts) {
    return sts.getSpec().getTemplate().getSpec();
  }

  private static Container etcd(StatefulSet sts) {
    assertThat(podSpec(sts).getContainers()).hasSize(1);
    return podSpec(sts).getContainers().get(0);
  }

  @Test
  void isAnOwnedStatefulSetBehindThePeerService() {
    StatefulSet sts = build(s -> {});

    assertOwnedObject(sts, "main");
    assertThat(sts.getApiVersion()).isEqualTo("apps/v1");
    assertThat(sts.getSpec().getServiceName()).isEqualTo("main-peer");
  }

  @Test
  void replicasAreTheCallersNotTheSpecs() {
    StatefulSet sts = MemberStatefulSetBuilder.build(blueprint("3.5.21", s -> s.setReplicas(5)), 3);

    assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
  }

  @Test
  void leavesRestartsAndStartOrderToTheOperator() {
    StatefulSet sts = build(s -> {});

    assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
    assertThat(sts.getSpec().getUpdateStrategy().getRollingUpdate()).isNull();
    assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
    assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted())
        .as("deleting the StatefulSet alone keeps the data").isEqualTo("Retain");
    assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled()).isEqualTo("Delete");
  }

  @Test
  void selectorMatchesThePodTemplateLabels() {
    StatefulSet sts = build(s -> {});

    assertThat(sts.getSpec().getSelector().getMatchLabels())
        .isEqualTo(blueprint().labels().selector());
    assertThat(sts.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(sts.getSpec().getSelector().getMatchLabels());
  }

  @Test
  void userLabelsAndAnnotationsReachThePodsButOurLabelsWin() {
    EtcdPodTemplate template = new EtcdPodTemplate();
    template.setLabels(Map.of("team", "storage", "app.kubernetes.io/instance", "hijack",
        "app.kubernetes.io/component", "other"));
    template.setAnnotations(Map.of("prometheus.io/scrape", "true"));

    StatefulSet sts = build(s -> s.setPodTemplate(template));

    assertThat(sts.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("team", "storage")
        .containsEntry("app.kubernetes.io/instance", "main")
        .containsEntry("app.kubernetes.io/component", "member");
    assertThat(sts.getSpec().getTemplate().getMetadata().getAnnotations())
        .isEqualTo(Map.of("prometheus.io/scrape", "true"));
  }

  @Test
  void podIsLockedDown() {
    PodSpec pod = podSpec(build(s -> {}));

    assertThat(pod.getEnableServiceLinks()).isFalse();
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(30L);
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
    assertThat(pod.getSecurityContext().getRunAsGroup()).isEqualTo(65532L);
    assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(65532L);
    assertThat(pod.getSecurityContext().getFsGroupChangePolicy()).isEqualTo("OnRootMismatch");
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
  }

  @Test
  void containerIsLockedDown() {
    Container etcd = etcd(build(s -> {}));

    assertThat(etcd.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(etcd.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(etcd.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(etcd.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(etcd.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(etcd.getSecurityContext().getPrivileged()).isNull();
  }

  @Test
  void containerRunsTheEtcdBinaryWithoutAShell() {
    Container etcd = etcd(build(s -> {}));

    assertThat(etcd.getName()).isEqualTo("etcd");
    assertThat(etcd.getImage()).isEqualTo("gcr.io/etcd-development/etcd:v3.5.21");
    assertThat(etcd.getCommand()).containsExactly("/usr/local/bin/etcd");
    assertThat(etcd.getArgs()).isEqualTo(EtcdFlags.render(blueprint("3.5.21")));
    assertThat(etcd.getPorts()).extracting(ContainerPort::getName, ContainerPort::getContainerPort)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("client", 2379),
            org.assertj.core.groups.Tuple.tuple("peer", 2380),
            org.assertj.core.groups.Tuple.tuple("metrics", 2381));
  }

  @Test
  void envCarriesPodIdentityAndBootstrapValuesWithoutEtcdPrefix() {
    List<EnvVar> env = etcd(build(s -> {})).getEnv();

    assertThat(env).extracting(EnvVar::getName).containsExactly("POD_NAME", "POD_NAMESPACE", "POD_IP",
        "INITIAL_CLUSTER", "INITIAL_CLUSTER_STATE", "INITIAL_CLUSTER_TOKEN");
    assertThat(env).extracting(EnvVar::getName).noneMatch(n -> n.startsWith("ETCD_"));
    assertThat(env.get(0).getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
    assertThat(env.get(1).getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");
    assertThat(env.get(2).getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
    assertThat(env.subList(3, 6)).allSatisfy(e -> {
      assertThat(e.getValue()).isNull();
      assertThat(e.getValueFrom().getConfigMapKeyRef().getName()).isEqualTo("main-config");
    });
    assertThat(env.subList(3, 6)).extracting(e -> e.getValueFrom().getConfigMapKeyRef().getKey())
        .containsExactly("initial-cluster", "initial-cluster-state", "initial-cluster-token");
  }

  @Test
  void everyVariableTheArgsReferenceIsDefined() {
    EtcdFlagsTest.assertArgsOnlyReferenceDefinedEnv(etcd(build(s -> {})));
  }

  @Test
  void defaultResourcesRequestWithoutLimits() {
    Container etcd = etcd(build(s -> {}));

    assertThat(etcd.getResources().getRequests())
        .containsEntry("cpu", new Quantity("100m"))
        .containsEntry("memory", new Quantity("256Mi"));
    assertThat(etcd.getResources().getLimits()).isNullOrEmpty();
  }

  @Test
  void userResourcesReplaceTheDefaults() {
    EtcdPodTemplate template = new EtcdPodTemplate();
    template.setResources(new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("2"))
        .addToLimits("memory", new Quantity("8Gi"))
        .build());

    Container etcd = etcd(build(s -> s.setPodTemplate(template)));

    assertThat(etcd.getResources().getRequests()).isEqualTo(Map.of("cpu", new Quantity("2")));
    assertThat(etcd.getResources().getLimits()).isEqualTo(Map.of("memory", new Quantity("8Gi")));
  }

  @Test
  void persistentStorageUsesAClaimTemplateMountedAtVarLibEtcd() {
    StorageSpec storage = new StorageSpec();
    storage.setSize("20Gi");
    storage.setStorageClassName("fast-ssd");

    StatefulSet sts = build(s -> s.setStorage(storage));

    assertThat(sts.getSpec().getVolumeClaimTemplates()).hasSize(1);
    PersistentVolumeClaim claim = sts.getSpec().getVolumeClaimTemplates().get(0);
    assertThat(claim.getMetadata().getName()).isEqualTo("data");
    assertThat(claim.getMetadata().getLabels()).isEqualTo(blueprint().labels().selector());
    assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
    assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast-ssd");
    assertThat(claim.getSpec().getResources().getRequests()).isEqualTo(Map.of("storage", new Quantity("20Gi")));
    assertThat(podSpec(sts).getVolumes()).isNullOrEmpty();
    assertThat(etcd(sts).getVolumeMounts()).singleElement().satisfies(m -> {
      assertThat(m.getName()).isEqualTo("data");
      assertThat(m.getMountPath()).isEqualTo("/var/lib/etcd");
    });
  }

  @Test
  void defaultStorageClaimsEightGigabytesOfTheDefaultClass() {
    PersistentVolumeClaim claim = build(s -> {}).getSpec().getVolumeClaimTemplates().get(0);

    assertThat(claim.getSpec().getStorageClassName()).isNull();
    assertThat(claim.getSpec().getResources().getRequests()).isEqualTo(Map.of("storage", new Quantity("8Gi")));
  }

  @Test
  void emptyDirStorageUsesAPodVolumeAndNoClaim() {
    StorageSpec storage = new StorageSpec();
    StorageSpec.EmptyDirStorage emptyDir = new StorageSpec.EmptyDirStorage();
    emptyDir.setSizeLimit("2Gi");
    emptyDir.setMedium("Memory");
    storage.setEmptyDir(emptyDir);

    StatefulSet sts = build(s -> s.setStorage(storage));

    assertThat(sts.getSpec().getVolumeClaimTemplates()).isNullOrEmpty();
    assertThat(podSpec(sts).getVolumes()).singleElement().satisfies(v -> {
      assertThat(v.getName()).isEqualTo("data");
      assertThat(v.getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("2Gi"));
      assertThat(v.getEmptyDir().getMedium()).isEqualTo("Memory");
    });
    assertThat(etcd(sts).getVolumeMounts()).singleElement()
        .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/var/lib/etcd"));
  }

  @Test
  void defaultsToSoftAntiAffinityAcrossNodes() {
    Affinity affinity = podSpec(build(s -> {})).getAffinity();

    assertThat(affinity.getNodeAffinity()).isNull();
    assertThat(affinity.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()).isNullOrEmpty();
    List<WeightedPodAffinityTerm> preferred =
        affinity.getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution();
    assertThat(preferred).singleElement().satisfies(term -> {
      assertThat(term.getWeight()).isEqualTo(100);
      assertThat(term.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname");
      assertThat(term.getPodAffinityTerm().getLabelSelector().getMatchLabels())
          .isEqualTo(blueprint().labels().selector());
    });
  }

  @Test
  void userAffinityReplacesTheDefault() {
    Affinity user = new AffinityBuilder().withNewNodeAffinity()
        .withNewRequiredDuringSchedulingIgnoredDuringExecution()
        .addNewNodeSelectorTerm().addNewMatchExpression().withKey("disk").withOperator("In").withValues("ssd")
        .endMatchExpression().endNodeSelectorTerm()
        .endRequiredDuringSchedulingIgnoredDuringExecution()
        .endNodeAffinity().build();
    EtcdPodTemplate template = new EtcdPodTemplate();
    template.setAffinity(user);

    Affinity affinity = podSpec(build(s -> s.setPodTemplate(template))).getAffinity();

    assertThat(affinity).isEqualTo(user).isNotSameAs(user);
    assertThat(affinity.getPodAntiAffinity()).isNull();
  }

  @Test
  void schedulingSettingsFromTheTemplateAreApplied() {
    EtcdPodTemplate template = new EtcdPodTemplate();
    template.setTolerations(List.of(new TolerationBuilder().withKey("dedicated").withOperator("Equal")
        .withValue("etcd").withEffect("NoSchedule").build()));
    template.setNodeSelector(Map.of("node-role", "etcd"));
    template.setTopologySpreadConstraints(List.of(new TopologySpreadConstraintBuilder().withMaxSkew(1)
        .withTopologyKey("topology.kubernetes.io/zone").withWhenUnsatisfiable("DoNotSchedule").build()));
    template.setPriorityClassName("system-cluster-critical");

    PodSpec pod = podSpec(build(s -> s.setPodTemplate(template)));

    assertThat(pod.getTolerations()).isEqualTo(template.getTolerations());
    assertThat(pod.getNodeSelector()).isEqualTo(Map.of("node-role", "etcd"));
    assertThat(pod.getTopologySpreadConstraints()).isEqualTo(template.getTopologySpreadConstraints());
    assertThat(pod.getPriorityClassName()).isEqualTo("system-cluster-critical");
  }

  @Test
  void noSchedulingSettingsByDefault() {
    PodSpec pod = podSpec(build(s -> {}));

    assertThat(pod.getTolerations()).isNullOrEmpty();
    assertThat(pod.getNodeSelector()).isNullOrEmpty();
    assertThat(pod.getTopologySpreadConstraints()).isNullOrEmpty();
    assertThat(pod.getPriorityClassName()).isNull();
    assertThat(sts().getSpec().getTemplate().getMetadata().getAnnotations()).isNullOrEmpty();
  }

  @Test
  void probesUseTheMetricsListener() {
    Container etcd = etcd(build(s -> {}));

    assertThat(etcd.getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(2381);
    assertThat(etcd.getLivenessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(2381);
    assertThat(etcd.getStartupProbe().getHttpGet().getPort().getIntVal()).isEqualTo(2381);
  }

  @Test
  void isPureAndSurvivesSerialisation() {
    ClusterBlueprint bp = blueprint();
    StatefulSet first = MemberStatefulSetBuilder.build(bp, 3);
    first.getSpec().getTemplate().getMetadata().getLabels().put("mutated", "by-caller");

    StatefulSet second = MemberStatefulSetBuilder.build(bp, 3);
    KubernetesSerialization serialization = new KubernetesSerialization();
    String yaml = serialization.asYaml(second);

    assertThat(second.getSpec().getTemplate().getMetadata().getLabels()).doesNotContainKey("mutated");
    // Empty lists and nulls may swap places on the way through JSON, so compare what kubectl would show.
    assertThat(serialization.asYaml(serialization.unmarshal(yaml, StatefulSet.class))).isEqualTo(yaml);
    assertThat(yaml).contains("OnRootMismatch").contains("OnDelete").contains("/usr/local/bin/etcd");
  }

  private static StatefulSet sts() {
    return build(s -> {});
  }

  @Test
  void mutualTlsMountsBothSecretsReadOnlyAndNeverTheCa() {
    var sts = MemberStatefulSetBuilder.build(
        blueprint().withTls(new MemberTls.Mutual("main-server-tls", "main-peer-tls")), 3);
    var pod = sts.getSpec().getTemplate().getSpec();

    assertThat(pod.getVolumes()).extracting(v -> v.getSecret() == null ? null : v.getSecret().getSecretName())
        .containsExactlyInAnyOrder("main-server-tls", "main-peer-tls");
    assertThat(pod.getVolumes()).allSatisfy(v -> assertThat(v.getSecret().getDefaultMode()).isEqualTo(0440));
    assertThat(pod.getContainers().get(0).getVolumeMounts())
        .filteredOn(m -> m.getMountPath().startsWith("/etc/etcd/tls/"))
        .allSatisfy(m -> assertThat(m.getReadOnly()).isTrue())
        .extracting(m -> m.getMountPath()).containsExactlyInAnyOrder("/etc/etcd/tls/server", "/etc/etcd/tls/peer");
  }
}
