package dev.etcdoperator.etcd;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.etcdoperator.testing.EtcdProcessCluster;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The failure paths of the {@link EtcdProcessCluster} harness that every etcd-backed test relies on. */
class EtcdClientHarnessTest {

  private static final String INSTALL_HINT = "etcd binary not found on PATH: install it with "
      + "'apt-get install -y etcd-server etcd-client' (Debian) or set -Detcd.binary=...";

  @Test
  void missingBinaryFailsWithInstallInstructions(@TempDir Path dir) {
    assertThatThrownBy(() -> EtcdProcessCluster.builder(dir).binary("/nonexistent/bin/etcd").start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(INSTALL_HINT)
        .hasMessageContaining("/nonexistent/bin/etcd");
  }

  @Test
  void binaryNameNotOnPathFailsWithInstallInstructions(@TempDir Path dir) {
    assertThatThrownBy(() -> EtcdProcessCluster.builder(dir).binary("etcd-no-such-binary").start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(INSTALL_HINT);
  }

  @Test
  void memberThatCannotStartFailsFastWithItsLogTail(@TempDir Path dir) {
    assertThatThrownBy(() -> EtcdProcessCluster.builder(dir).namePrefix("broken")
        .extraArgs("--no-such-flag").start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("broken-0")
        .hasMessageContaining("exited with code")
        .hasMessageContaining("no-such-flag");
  }
}
