package dev.etcdoperator.deploy;

import static dev.etcdoperator.deploy.DeployManifests.NON_ROOT_USER;
import static dev.etcdoperator.deploy.DeployManifests.OPERATOR_NAMESPACE;
import static dev.etcdoperator.deploy.DeployManifests.deployedConfig;
import static dev.etcdoperator.deploy.DeployManifests.env;
import static dev.etcdoperator.deploy.DeployManifests.load;
import static dev.etcdoperator.deploy.DeployManifests.operatorContainer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.config.OperatorConfig;
import dev.etcdoperator.config.OperatorConfig.MemberAccess;
import dev.etcdoperator.resources.RestorePodBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The operator's Deployment in deploy/operator, and the image it runs: replicas, lock-down, probes, resources. */
class OperatorDeploymentManifestTest {
  @Test
  void deploymentRunsTwoLeaderElectedReplicasAsTheOperatorServiceAccount() throws IOException {
    Deployment deployment = load("deployment.yaml", Deployment.class);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(deployment.getSpec().getSelector().getMatchLabels()).isNotEmpty();
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
    assertThat(pod.getServiceAccountName())
        .isEqualTo(load("serviceaccount.yaml", ServiceAccount.class).getMetadata().getName());
    assertThat(pod.getAutomountServiceAccountToken()).isTrue();
    assertThat(pod.getContainers()).hasSize(1);
    assertThat(operatorContainer().getImage()).isEqualTo("ghcr.io/etcd-operator/etcd-operator:0.1.0");

    OperatorConfig config = deployedConfig();
    assertThat(config.leaderElection()).isTrue();
    assertThat(config.leaseNamespace()).isEqualTo(OPERATOR_NAMESPACE);
    assertThat(config.memberAccess()).isEqualTo(MemberAccess.DIRECT);
    assertThat(config.healthPort()).isEqualTo(8080);
    assertThat(env(operatorContainer())).containsEntry("LEADER_ELECTION_NAMESPACE", "<metadata.namespace>");
    // The Deployment's value replaces the image's: they must be the same settings.
    assertThat(Files.readAllLines(Path.of("Dockerfile")))
        .contains("ENV JAVA_TOOL_OPTIONS=\"" + env(operatorContainer()).get("JAVA_TOOL_OPTIONS") + "\"");
  }

  @Test
  void podAndContainerAreLockedDown() {
    PodSpec pod = load("deployment.yaml", Deployment.class).getSpec().getTemplate().getSpec();
    var podContext = pod.getSecurityContext();
    assertThat(podContext.getRunAsNonRoot()).isTrue();
    assertThat(podContext.getRunAsUser()).isEqualTo(NON_ROOT_USER);
    assertThat(podContext.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

    var context = operatorContainer().getSecurityContext();
    assertThat(context.getRunAsNonRoot()).isTrue();
    assertThat(context.getRunAsUser()).isEqualTo(NON_ROOT_USER);
    assertThat(context.getReadOnlyRootFilesystem()).isTrue();
    assertThat(context.getAllowPrivilegeEscalation()).isFalse();
    assertThat(context.getPrivileged()).isNotEqualTo(Boolean.TRUE);
    assertThat(context.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(context.getCapabilities().getAdd()).isEmpty();
    assertThat(context.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);

    // The root file system is read-only: the JVM gets a writable /tmp.
    String tmpVolume = operatorContainer().getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp"))
        .findFirst().orElseThrow(() -> new AssertionError("no volume mounted at /tmp")).getName();
    assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals(tmpVolume)).singleElement()
        .extracting(Volume::getEmptyDir).isNotNull();
  }

  @Test
  void probesHitTheHealthEndpointOnHealthPort() {
    Container container = operatorContainer();
    int healthPort = deployedConfig().healthPort();
    assertThat(httpGet(container.getLivenessProbe()).getPath()).isEqualTo("/healthz");
    assertThat(httpGet(container.getReadinessProbe()).getPath()).isEqualTo("/readyz");
    for (Probe probe : Stream.of(container.getStartupProbe(), container.getLivenessProbe(),
        container.getReadinessProbe()).filter(Objects::nonNull).toList()) {
      assertThat(probePort(container, httpGet(probe))).isEqualTo(healthPort);
    }
  }

  @Test
  void resourcesBoundTheMemoryTheHeapIsSizedFrom() {
    var resources = operatorContainer().getResources();
    assertThat(resources.getRequests()).containsEntry("cpu", new Quantity("100m"))
        .containsEntry("memory", new Quantity("320Mi"));
    assertThat(resources.getLimits()).containsEntry("memory", new Quantity("512Mi"));
  }

  @Test
  void replicasPreferDifferentNodesWithoutRequiringThem() {
    PodSpec pod = load("deployment.yaml", Deployment.class).getSpec().getTemplate().getSpec();
    Map<String, String> podLabels = load("deployment.yaml", Deployment.class).getSpec().getTemplate().getMetadata()
        .getLabels();
    assertThat(pod.getTopologySpreadConstraints()).isNotEmpty().allSatisfy(constraint -> {
      assertThat(constraint.getWhenUnsatisfiable()).isEqualTo("ScheduleAnyway");
      assertThat(podLabels).containsAllEntriesOf(constraint.getLabelSelector().getMatchLabels());
    }).anySatisfy(constraint -> assertThat(constraint.getTopologyKey()).isEqualTo("kubernetes.io/hostname"));
    boolean requiredAntiAffinity = Optional.ofNullable(pod.getAffinity()).map(a -> a.getPodAntiAffinity())
        .map(a -> a.getRequiredDuringSchedulingIgnoredDuringExecution()).filter(l -> !l.isEmpty()).isPresent();
    assertThat(requiredAntiAffinity).as("hard anti-affinity would leave a replica pending on one node").isFalse();
  }

  @Test
  void imageRunsTheShadedJarAsTheUserTheDeploymentExpects() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("Dockerfile")).stream().map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    assertThat(lines).first().asString().startsWith("FROM eclipse-temurin:25-jre");
    assertThat(lines).contains("COPY operator/target/etcd-operator.jar /app/etcd-operator.jar",
        "USER " + NON_ROOT_USER + ":" + NON_ROOT_USER,
        "ENTRYPOINT [\"java\", \"-jar\", \"/app/etcd-operator.jar\"]");
    assertThat(lines).filteredOn(l -> l.startsWith("FROM ")).hasSize(1);
  }

  @Test
  void restorePodsRunTheOperatorsOwnImageAndTheJarItHolds() throws IOException {
    assertThat(deployedConfig().operatorImage()).isEqualTo(operatorContainer().getImage());
    String jar = RestorePodBuilder.OPERATOR_COMMAND.get(RestorePodBuilder.OPERATOR_COMMAND.size() - 1);
    assertThat(Files.readAllLines(Path.of("Dockerfile"))).contains("COPY operator/target/etcd-operator.jar " + jar);
  }

  // ---------------------------------------------------------------------------------------------------------------

  private static HTTPGetAction httpGet(Probe probe) {
    assertThat(probe).isNotNull();
    assertThat(probe.getHttpGet()).as("an HTTP probe").isNotNull();
    return probe.getHttpGet();
  }

  private static int probePort(Container container, HTTPGetAction get) {
    if (get.getPort().getIntVal() != null) {
      return get.getPort().getIntVal();
    }
    String name = get.getPort().getStrVal();
    return container.getPorts().stream().filter(p -> name.equals(p.getName())).findFirst()
        .orElseThrow(() -> new AssertionError("no container port named " + name)).getContainerPort();
  }
}
