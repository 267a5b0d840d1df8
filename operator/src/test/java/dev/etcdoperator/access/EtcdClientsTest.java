package dev.etcdoperator.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.etcd.EtcdClient;
import dev.etcdoperator.etcd.EtcdConnection;
import dev.etcdoperator.testing.EtcdProcessCluster;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator's etcd clients, one per cluster, against a real etcd. */
class EtcdClientsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final int CLUSTERS = 20;
  /** Threads of a client's own pool ({@code etcd-client-<client>-<n>}), which a shared pool makes unnecessary. */
  private static final Pattern PER_CLIENT_THREAD = Pattern.compile("etcd-client-\\d+-\\d+");

  @Test
  void clientsOfManyClustersShareAFewThreadsThatCloseStops(@TempDir Path dir) {
    try (EtcdProcessCluster etcd = EtcdProcessCluster.builder(dir).members(1).namePrefix("shared").start()) {
      EtcdClients clients = new EtcdClients(Clock.systemUTC());
      List<EtcdClient> perCluster = IntStream.range(0, CLUSTERS).mapToObj(i -> clients.forCluster("ns/cluster-" + i,
          EtcdConnection.plain(etcd.clientUrls(), TIMEOUT))).toList();
      await("every client answers").atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .until(() -> perCluster.stream().allMatch(c -> c.listMembers().members().size() == 1));
      perCluster.forEach(c -> c.put("threads", "x"));

      List<String> names = threadNames();
      assertThat(names).as("threads of per-client pools").noneMatch(n -> PER_CLIENT_THREAD.matcher(n).matches());
      assertThat(names.stream().filter(n -> n.startsWith(EtcdClients.THREAD_NAME_PREFIX)).count())
          .as("shared client threads for %d clusters' clients, called one after the other", CLUSTERS)
          .isBetween(1L, 4L);

      clients.close();
      await("shared threads stopped").atMost(Duration.ofSeconds(10))
          .until(() -> threadNames().stream().noneMatch(n -> n.startsWith(EtcdClients.THREAD_NAME_PREFIX)));
    }
  }

  private static List<String> threadNames() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName).toList();
  }
}
