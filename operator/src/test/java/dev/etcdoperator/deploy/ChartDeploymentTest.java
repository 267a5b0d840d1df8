package dev.etcdoperator.deploy;

import static dev.etcdoperator.deploy.DeployManifests.NON_ROOT_USER;
import static dev.etcdoperator.deploy.DeployManifests.OPERATOR_NAMESPACE;
import static dev.etcdoperator.deploy.DeployManifests.configOf;
import static dev.etcdoperator.deploy.DeployManifests.env;
import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.config.OperatorConfig;
import dev.etcdoperator.config.OperatorConfig.MemberAccess;
import dev.etcdoperator.support.IpFamily;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The operator Deployment the chart renders: replicas and leader election, lock-down, probes, image, settings. */
class ChartDeploymentTest {
  private static final String NAME = RenderedChart.RELEASE;

  @Test
  void runsTwoLeaderElectedReplicasAsItsServiceAccount() {
    RenderedChart chart = RenderedChart.render(Map.of());
    Deployment deployment = chart.one(Deployment.class, NAME);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
    assertThat(pod.getServiceAccountName()).isEqualTo(chart.one(ServiceAccount.class, NAME).getMetadata().getName());

    OperatorConfig config = configOf(container(chart));
    assertThat(config.leaderElection()).isTrue();
    assertThat(config.leaseNamespace()).isEqualTo(OPERATOR_NAMESPACE);
    assertThat(config.leaseName()).isEqualTo("etcd-operator-leader");
    assertThat(config.memberAccess()).isEqualTo(MemberAccess.DIRECT);
    assertThat(config.watchNamespaces()).isEmpty();
    assertThat(chart.one(Role.class, NAME + "-leader-election").getRules())
        .anySatisfy(rule -> assertThat(rule.getResourceNames()).containsExactly(config.leaseName()));
  }

  @Test
  void withoutLeaderElectionOneReplicaRunsAndNoLeaseIsGranted() {
    RenderedChart chart = RenderedChart.render(Map.of("replicaCount", 1, "leaderElection", Map.of("enabled", false)));
    assertThat(chart.one(Deployment.class, NAME).getSpec().getReplicas()).isEqualTo(1);
    assertThat(configOf(container(chart)).leaderElection()).isFalse();
    assertThat(chart.all(Role.class)).isEmpty();
  }

  @Test
  void podAndContainerAreLockedDown() {
    RenderedChart chart = RenderedChart.render(Map.of());
    PodSpec pod = chart.one(Deployment.class, NAME).getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(NON_ROOT_USER);
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    var context = container(chart).getSecurityContext();
    assertThat(context.getRunAsNonRoot()).isTrue();
    assertThat(context.getRunAsUser()).isEqualTo(NON_ROOT_USER);
    assertThat(context.getReadOnlyRootFilesystem()).isTrue();
    assertThat(context.getAllowPrivilegeEscalation()).isFalse();
    assertThat(context.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(context.getCapabilities().getAdd()).isEmpty();
    assertThat(context.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);

    // The root file system is read-only: the JVM gets a writable /tmp.
    String tmp = container(chart).getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp"))
        .findFirst().orElseThrow().getName();
    assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals(tmp)).singleElement()
        .extracting(Volume::getEmptyDir).isNotNull();
  }

  @Test
  void probesHitTheHealthEndpointsOnTheConfiguredPort() {
    for (int port : List.of(8080, 9440)) {
      RenderedChart chart = RenderedChart.render(Map.of("operator", Map.of("healthPort", port)));
      Container container = container(chart);
      assertThat(configOf(container).healthPort()).isEqualTo(port);
      assertThat(httpGet(container.getStartupProbe()).getPath()).isEqualTo("/healthz");
      assertThat(httpGet(container.getLivenessProbe()).getPath()).isEqualTo("/healthz");
      assertThat(httpGet(container.getReadinessProbe()).getPath()).isEqualTo("/readyz");
      for (Probe probe : List.of(container.getStartupProbe(), container.getLivenessProbe(),
          container.getReadinessProbe())) {
        String portName = httpGet(probe).getPort().getStrVal();
        assertThat(container.getPorts()).filteredOn(p -> p.getName().equals(portName)).singleElement()
            .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(port));
      }
      Service metrics = chart.one(Service.class, NAME + "-metrics");
      assertThat(metrics.getSpec().getPorts()).singleElement()
          .satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("health"));
      assertThat(chart.one(Deployment.class, NAME).getSpec().getTemplate().getMetadata().getLabels())
          .containsAllEntriesOf(metrics.getSpec().getSelector());
    }
  }

  @Test
  void imageByTagDefaultsToTheAppVersionAndRestorePodsRunTheSameImage() {
    Container container = container(RenderedChart.render(Map.of()));
    assertThat(container.getImage()).isEqualTo("ghcr.io/etcd-operator/etcd-operator:0.1.0")
        .isEqualTo(OperatorConfig.DEFAULT_OPERATOR_IMAGE);
    assertThat(configOf(container).operatorImage()).isEqualTo(container.getImage());

    Container tagged = container(RenderedChart.render(Map.of("image",
        Map.of("repository", "registry.example/etcd-operator", "tag", "0.2.0-rc1"))));
    assertThat(tagged.getImage()).isEqualTo("registry.example/etcd-operator:0.2.0-rc1");
    assertThat(configOf(tagged).operatorImage()).isEqualTo(tagged.getImage());
  }

  @Test
  void imageByDigestIsPinnedForTheOperatorAndItsRestorePods() {
    String digest = "sha256:" + "ab".repeat(32);
    RenderedChart chart = RenderedChart.render(Map.of("image", Map.of("digest", digest, "pullPolicy", "Always"),
        "imagePullSecrets", List.of(Map.of("name", "regcred"))));
    Container container = container(chart);
    assertThat(container.getImage()).isEqualTo("ghcr.io/etcd-operator/etcd-operator@" + digest);
    assertThat(container.getImagePullPolicy()).isEqualTo("Always");
    assertThat(configOf(container).operatorImage()).isEqualTo(container.getImage());
    assertThat(chart.one(Deployment.class, NAME).getSpec().getTemplate().getSpec().getImagePullSecrets())
        .containsExactly(new LocalObjectReference("regcred"));
  }

  @Test
  void operatorSettingsReachTheOperatorAsItReadsThem() {
    Map<String, Object> operator = Map.of("memberAccess", "auto", "etcdDefaultVersion", "3.5.30",
        "etcdImageRepository", "mirror.example/etcd", "etcdRequestTimeoutMillis", 7000, "resyncIntervalSeconds", 30,
        "replaceFailingMemberAfterSeconds", 900, "clusterDomain", "cluster.example", "podIpFamily", "IPv6");
    RenderedChart chart = RenderedChart.render(Map.of("operator", operator, "watchNamespaces", List.of("a", "b"),
        "leaderElection", Map.of("leaseName", "etcd-operator-blue"),
        "extraEnv", List.of(Map.of("name", "OTEL_SDK_DISABLED", "value", "true"))));
    OperatorConfig config = configOf(container(chart));
    assertThat(config.defaultEtcdVersion()).hasToString("3.5.30");
    assertThat(config.etcdImageRepository()).isEqualTo("mirror.example/etcd");
    assertThat(config.etcdRequestTimeout()).isEqualTo(Duration.ofMillis(7000));
    assertThat(config.resyncInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.replaceFailingMemberAfter()).isEqualTo(Duration.ofSeconds(900));
    assertThat(config.clusterDomain()).isEqualTo("cluster.example");
    assertThat(config.podIpFamily()).isEqualTo(IpFamily.IPV6);
    assertThat(config.watchNamespaces()).isEqualTo(Set.of("a", "b"));
    assertThat(config.leaseName()).isEqualTo("etcd-operator-blue");
    assertThat(env(container(chart))).containsEntry("OTEL_SDK_DISABLED", "true")
        .containsEntry("ETCD_MEMBER_ACCESS", "auto");
    assertThat(chart.one(Role.class, NAME + "-leader-election").getRules())
        .anySatisfy(rule -> assertThat(rule.getResourceNames()).containsExactly("etcd-operator-blue"));
  }

  /** A setting added to OperatorConfig without a way to set it through the chart fails here. */
  @Test
  void everyVariableTheOperatorReadsCanBeSetThroughTheChart() throws IOException {
    String source = Files.readString(Path.of("src", "main", "java", "dev", "etcdoperator",
        "config", "OperatorConfig.java"));
    Matcher read = Pattern.compile("(?:s\\.(?:text|parse)|env\\.get)\\(\"([A-Z_]+)\"")
        .matcher(source);
    Set<String> variables = new TreeSet<>();
    while (read.find()) {
      variables.add(read.group(1));
    }
    // HOSTNAME is only POD_NAME's fallback, which the chart sets from the downward API.
    variables.remove("HOSTNAME");
    assertThat(variables).hasSizeGreaterThan(10);
    RenderedChart chart = RenderedChart.render(Map.of("watchNamespaces", List.of("a"), "operator", Map.of(
        "etcdDefaultVersion", "3.5.30", "etcdImageRepository", "mirror.example/etcd", "etcdRequestTimeoutMillis", 7000,
        "resyncIntervalSeconds", 30, "replaceFailingMemberAfterSeconds", 900, "clusterDomain", "cluster.example",
        "podIpFamily", "IPv6")));
    assertThat(env(container(chart)).keySet()).containsAll(variables);
  }

  @Test
  void replicasPreferDifferentNodesUnlessToldOtherwise() {
    PodSpec pod = RenderedChart.render(Map.of()).one(Deployment.class, NAME).getSpec().getTemplate().getSpec();
    Map<String, String> podLabels = RenderedChart.render(Map.of()).one(Deployment.class, NAME).getSpec().getTemplate()
        .getMetadata().getLabels();
    assertThat(pod.getTopologySpreadConstraints()).singleElement().satisfies(constraint -> {
      assertThat(constraint.getWhenUnsatisfiable()).isEqualTo("ScheduleAnyway");
      assertThat(constraint.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
      assertThat(podLabels).containsAllEntriesOf(constraint.getLabelSelector().getMatchLabels());
    });

    PodSpec zones = RenderedChart.render(Map.of("topologySpreadConstraints", List.of(Map.of("maxSkew", 1,
        "topologyKey", "topology.kubernetes.io/zone", "whenUnsatisfiable", "DoNotSchedule"))))
        .one(Deployment.class, NAME).getSpec().getTemplate().getSpec();
    assertThat(zones.getTopologySpreadConstraints()).singleElement()
        .satisfies(c -> assertThat(c.getTopologyKey()).isEqualTo("topology.kubernetes.io/zone"));
    PodSpec none = RenderedChart.render(Map.of("topologySpreadConstraints", List.of())).one(Deployment.class, NAME)
        .getSpec().getTemplate().getSpec();
    assertThat(none.getTopologySpreadConstraints()).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------------------------

  private static Container container(RenderedChart chart) {
    List<Container> containers = chart.one(Deployment.class, NAME).getSpec().getTemplate().getSpec().getContainers();
    assertThat(containers).hasSize(1);
    return containers.get(0);
  }

  private static HTTPGetAction httpGet(Probe probe) {
    assertThat(probe).isNotNull();
    assertThat(probe.getHttpGet()).as("an HTTP probe").isNotNull();
    return probe.getHttpGet();
  }
}
