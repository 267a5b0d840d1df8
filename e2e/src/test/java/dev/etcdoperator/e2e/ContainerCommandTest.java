package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.etcdoperator.testing.EtcdReleases;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How {@link ContainerProcess#containerCommand} maps the commands of member and restore pods to this machine. */
class ContainerCommandTest {
  private static final PodVolumes.MountTable MOUNTS = new PodVolumes.MountTable(Map.of(
      "/var/lib/etcd", Path.of("/w/pvcs/ns/data-c-0"), "/tmp", Path.of("/w/pods/ns/c-0-restore/volumes/tmp")));

  @Test
  void etcdctlRunsTheOneOnPathWithMountPathsRewritten() {
    List<String> command = ContainerProcess.containerCommand(List.of("/usr/local/bin/etcdctl", "snapshot", "restore",
        "/var/lib/etcd/restore/snapshot.db", "--name=c-0", "--data-dir=/var/lib/etcd/restore/data"), List.of(),
        "gcr.io/etcd-development/etcd:v3.4.23", MOUNTS, "127.0.0.9");
    assertThat(command).containsExactly(ContainerProcess.which("etcdctl"), "snapshot", "restore",
        "/w/pvcs/ns/data-c-0/restore/snapshot.db", "--name=c-0", "--data-dir=/w/pvcs/ns/data-c-0/restore/data");
  }

  @Test
  void etcdStillRunsEtcd() {
    assertThat(ContainerProcess.containerCommand(List.of("/usr/local/bin/etcd"), List.of("--name=c-0"),
        "gcr.io/etcd-development/etcd:v3.4.23", MOUNTS, "127.0.0.9"))
        .containsExactly(ContainerProcess.which("etcd"), "--name=c-0");
  }

  @Test
  void anEtcdImageRunsTheReleaseOfItsTagOrTheNewestPatchOfItsMinor() {
    EtcdReleases releases = EtcdReleases.available();
    String v3516 = releases.exactly("3.5.16").etcd();
    List<String> exact = ContainerProcess.containerCommand(List.of("/usr/local/bin/etcd"), List.of("--name=c-0"),
        "gcr.io/etcd-development/etcd:v3.5.16", MOUNTS, "127.0.0.9");
    assertThat(exact).containsExactly(v3516, "--name=c-0");
    assertThat(ContainerProcess.releaseNote("gcr.io/etcd-development/etcd:v3.5.16", exact)).isEmpty();

    List<String> nearest = ContainerProcess.containerCommand(List.of("/usr/local/bin/etcdutl", "snapshot", "restore"),
        List.of(), "gcr.io/etcd-development/etcd:v3.5.21", MOUNTS, "127.0.0.9");
    assertThat(nearest.get(0)).isEqualTo(releases.exactly("3.5.30").etcdutl().orElseThrow());
    assertThat(ContainerProcess.releaseNote("gcr.io/etcd-development/etcd:v3.5.21", nearest)).contains(
        "image gcr.io/etcd-development/etcd:v3.5.21 runs etcd 3.5.30, the newest 3.5 release on this machine");

    assertThatThrownBy(() -> ContainerProcess.containerCommand(List.of("/usr/local/bin/etcd"), List.of(),
        "gcr.io/etcd-development/etcd:v3.6.5", MOUNTS, "127.0.0.9"))
        .hasMessageContaining("image gcr.io/etcd-development/etcd:v3.6.5: no etcd 3.6 release is on this machine");
  }

  @Test
  void theOperatorJarRunsTheOperatorMainClassOnThisJvmsJavaAndClasspath() {
    List<String> command = ContainerProcess.containerCommand(List.of("java", "-jar", "/app/etcd-operator.jar"),
        List.of("fetch-snapshot", "--bucket=b", "--to=/var/lib/etcd/restore/snapshot.db"),
        "ghcr.io/etcd-operator/etcd-operator:0.1.0", MOUNTS, "127.0.0.9");
    assertThat(command).containsExactly(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.io.tmpdir=/w/pods/ns/c-0-restore/volumes/tmp", "-cp", command.get(3), ContainerProcess.OPERATOR_MAIN,
        "fetch-snapshot", "--bucket=b", "--to=/w/pvcs/ns/data-c-0/restore/snapshot.db");
    assertThat(command.get(3).split(java.io.File.pathSeparator)).allMatch(e -> Path.of(e).isAbsolute())
        .anyMatch(e -> e.contains("etcd-operator"));
  }
}
