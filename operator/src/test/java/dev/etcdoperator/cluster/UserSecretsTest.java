package dev.etcdoperator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.resources.ClusterLabels;
import dev.etcdoperator.testing.MutableClock;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** External certificates are not read from the API server on every reconcile of a waiting cluster (finding 22). */
class UserSecretsTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
  private final UserSecrets secrets = new UserSecrets(clock);
  private final List<String> reads = new ArrayList<>();

  private BiFunction<String, String, Secret> apiServer(Map<String, Secret> stored) {
    return (ns, name) -> {
      reads.add(ns + "/" + name);
      return stored.get(name);
    };
  }

  @Test
  void aUserSecretIsReadOnceWithinTenSecondsAndAgainAfter() {
    var fetch = apiServer(Map.of("server-tls", secret("server-tls", Map.of())));

    Secret first = secrets.get("db", "server-tls", fetch);
    clock.advance(Duration.ofSeconds(9));
    assertThat(secrets.get("db", "server-tls", fetch)).isSameAs(first);
    clock.advance(Duration.ofSeconds(1));
    secrets.get("db", "server-tls", fetch);

    assertThat(reads).containsExactly("db/server-tls", "db/server-tls");
  }

  @Test
  void ourOwnSecretsAndMissingOnesAreReadEachTime() {
    var fetch = apiServer(Map.of("main-ca", secret("main-ca", Map.of(ClusterLabels.MANAGED_BY,
        ClusterLabels.OPERATOR_NAME))));

    secrets.get("db", "main-ca", fetch);
    secrets.get("db", "main-ca", fetch);
    secrets.get("db", "missing", fetch);
    secrets.get("db", "missing", fetch);

    assertThat(reads).containsExactly("db/main-ca", "db/main-ca", "db/missing", "db/missing");
  }

  private static Secret secret(String name, Map<String, String> labels) {
    return new SecretBuilder().withNewMetadata().withName(name).withNamespace("db").withLabels(labels).endMetadata()
        .build();
  }
}
