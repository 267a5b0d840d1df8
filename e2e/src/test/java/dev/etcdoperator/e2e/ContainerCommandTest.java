package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

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
