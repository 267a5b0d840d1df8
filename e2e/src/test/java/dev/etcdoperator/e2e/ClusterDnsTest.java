package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stand-in's hosts file, as the JDK's and Go's resolvers read it: line by line, in chunks, while it changes. */
class ClusterDnsTest {
  @TempDir
  Path dir;

  /** Name to address, as a hosts file lists them: comments and blank lines skipped. */
  private static Map<String, String> resolved(Path file) throws IOException {
    Map<String, String> names = new HashMap<>();
    for (String line : Files.readAllLines(file)) {
      String entry = line.contains("#") ? line.substring(0, line.indexOf('#')) : line;
      String[] fields = entry.trim().split("\\s+");
      if (fields.length > 1) {
        Arrays.stream(fields).skip(1).forEach(name -> names.putIfAbsent(name, fields[0]));
      }
    }
    return names;
  }

  @Test
  void namesResolveAsPodsAndServicesComeAndGo() throws IOException {
    ClusterDns dns = new ClusterDns(dir.resolve("hosts"), "cluster.local");
    dns.putPod("db", "main-0", "main-peer", "127.0.10.1");
    dns.putPod("db", "main-1", "main-peer", "127.0.10.2");
    dns.putService("db", "main-client", Set.of("127.0.10.1", "127.0.10.2"));

    dns.removePod("db", "main-0");
    dns.putPod("db", "main-1", "main-peer", "127.0.10.3");
    dns.putService("db", "main-client", Set.of("127.0.10.3"));

    Map<String, String> names = resolved(dns.file());
    assertThat(names).doesNotContainKey("main-0.main-peer.db.svc")
        .containsEntry("main-1.main-peer.db.svc", "127.0.10.3")
        .containsEntry("main-1.main-peer.db.svc.cluster.local", "127.0.10.3")
        .containsEntry("main-client.db.svc", "127.0.10.3")
        .containsEntry("localhost", "127.0.0.1");
    assertThat(names.values()).doesNotContain("127.0.10.1", "127.0.10.2");
  }

  /**
   * A reader in the middle of the file when it changes must find the rest where it was: no line moves, and the file
   * never shrinks, so no lookup of a name that stays ever finds it missing.
   */
  @Test
  void aLineThatStaysKeepsItsPlaceWhateverChangesAroundIt() throws IOException {
    ClusterDns dns = new ClusterDns(dir.resolve("hosts"), "cluster.local");
    dns.putPod("db", "a-0", "a-peer", "127.0.10.1");
    dns.putPod("db", "b-0", "b-peer", "127.0.10.2");
    String before = Files.readString(dns.file());
    int at = before.indexOf("127.0.10.2 b-0.b-peer.db.svc");

    dns.removePod("db", "a-0");
    String afterRemoval = Files.readString(dns.file());
    dns.putPod("db", "a-1", "a-peer", "127.0.10.3");
    dns.putPod("db", "a-2", "a-peer", "127.0.10.4");
    dns.putService("db", "a-client", Set.of("127.0.10.3"));
    String afterAdditions = Files.readString(dns.file());

    assertThat(at).isPositive();
    for (String after : List.of(afterRemoval, afterAdditions)) {
      assertThat(after.indexOf("127.0.10.2 b-0.b-peer.db.svc")).isEqualTo(at);
      assertThat(after.length()).isGreaterThanOrEqualTo(before.length());
      assertThat(after.substring(at)).startsWith(before.substring(at, before.indexOf('\n', at) + 1));
    }
    assertThat(resolved(dns.file())).containsKeys("a-1.a-peer.db.svc", "a-2.a-peer.db.svc", "a-client.db.svc")
        .doesNotContainKey("a-0.a-peer.db.svc");
  }
}
