package dev.etcdoperator.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.testing.MutableClock;
import dev.etcdoperator.testing.ApiServerPerClass;
import dev.etcdoperator.testing.TestClusters;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A condition that persists costs one Event with a count, not one Event per reconcile (review finding 22). */
class EventRecorderTest {
  @RegisterExtension
  static final ApiServerPerClass API = ApiServerPerClass.plain();
  private final KubernetesClient client = API.client();

  @Test
  void theSameEventAgainRaisesTheCountOfTheOneWrittenWithinTenMinutes() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
    EventRecorder events = new EventRecorder(client, clock);
    EtcdCluster cluster = TestClusters.cluster(spec -> {});

    for (int i = 0; i < 3; i++) {
      events.record(cluster, EventRecorder.Type.Warning, "MembershipChangeFailed", "etcdserver: too many learners");
      clock.advance(Duration.ofSeconds(10));
    }
    events.record(cluster, EventRecorder.Type.Warning, "MembershipChangeFailed", "etcdserver: unhealthy cluster");
    clock.advance(Duration.ofMinutes(10));
    events.record(cluster, EventRecorder.Type.Warning, "MembershipChangeFailed", "etcdserver: too many learners");

    List<Event> written = client.v1().events().inNamespace(TestClusters.NAMESPACE).list().getItems().stream()
        .filter(e -> e.getInvolvedObject().getName().equals(TestClusters.NAME)).sorted(Comparator.comparing(Event::getFirstTimestamp).thenComparing(Event::getMessage)).toList();
    assertThat(written).extracting(Event::getMessage, Event::getCount, Event::getFirstTimestamp,
        Event::getLastTimestamp).containsExactly(
            tuple("etcdserver: too many learners", 3, "2026-12-03T10:00:00Z",
                "2026-12-03T10:00:20Z"),
            tuple("etcdserver: unhealthy cluster", 1, "2026-12-03T10:00:30Z",
                "2026-12-03T10:00:30Z"),
            tuple("etcdserver: too many learners", 1, "2026-12-03T10:10:30Z",
                "2026-12-03T10:10:30Z"));
  }

  /** An Event the API server has let expire (or someone deleted) is written anew, not lost. */
  @Test
  void anEventThatIsGoneIsWrittenAgain() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-03T11:00:00Z"));
    EventRecorder events = new EventRecorder(client, clock);
    EtcdCluster cluster = TestClusters.cluster(spec -> {});
    cluster.getMetadata().setName("expired");

    events.record(cluster, EventRecorder.Type.Normal, "MemberRestarted", "restarting expired-0");
    client.v1().events().inNamespace(TestClusters.NAMESPACE).list().getItems().stream()
        .filter(e -> e.getInvolvedObject().getName().equals("expired")).forEach(e -> client.resource(e).delete());
    events.record(cluster, EventRecorder.Type.Normal, "MemberRestarted", "restarting expired-0");

    assertThat(client.v1().events().inNamespace(TestClusters.NAMESPACE).list().getItems())
        .filteredOn(e -> e.getInvolvedObject().getName().equals("expired"))
        .singleElement().satisfies(e -> assertThat(e.getCount()).isEqualTo(1));
  }
}
