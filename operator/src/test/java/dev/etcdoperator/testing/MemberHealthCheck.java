package dev.etcdoperator.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** Waits for an etcd member on its plain-HTTP metrics listener: until it answers, or until it reports healthy. */
final class MemberHealthCheck implements AutoCloseable {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  /**
   * Polls {@code metricsUrl/health} until it says true (or, if !healthy, until it answers at all). Fails fast,
   * with the member's log tail, if its process exits; fails with the log tail after {@code timeout}.
   */
  void await(EtcdMemberProcess member, URI metricsUrl, Duration timeout, boolean healthy) {
    try {
      Awaitility.await("etcd member " + member.name + (healthy ? " healthy" : " serving"))
          .atMost(timeout)
          .pollDelay(Duration.ofMillis(50))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> {
            member.requireAlive();
            return probe(metricsUrl, healthy);
          });
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException("etcd member " + member.name + " not " + (healthy ? "healthy" : "serving")
          + " within " + timeout + "; log tail:\n" + member.logTail(), e);
    }
  }

  private boolean probe(URI metricsUrl, boolean healthy) {
    HttpRequest request = HttpRequest.newBuilder(metricsUrl.resolve("/health"))
        .timeout(Duration.ofSeconds(2)).GET().build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return !healthy || (response.statusCode() == 200 && response.body().contains("\"health\":\"true\""));
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    http.shutdownNow();
  }
}
