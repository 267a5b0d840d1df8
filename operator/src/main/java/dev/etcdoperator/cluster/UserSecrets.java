package dev.etcdoperator.cluster;

import dev.etcdoperator.resources.ClusterLabels;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Secrets the user owns (External certificates), which no informer of ours caches because they carry none of our
 * labels: each read is kept for {@link #FRESH_FOR}, so that a cluster reconciled every few seconds while it waits
 * does not read every one of them from the API server each time. A change the user makes shows within that time.
 * Secrets of our own are never kept here: the informer has them, and a read of one it lacks (just written) must not
 * outlive that moment.
 */
final class UserSecrets {
  static final Duration FRESH_FOR = Duration.ofSeconds(10);

  private record Read(Secret secret, Instant at) {}

  private final Clock clock;
  private final Map<String, Read> reads = new ConcurrentHashMap<>();

  UserSecrets(Clock clock) {
    this.clock = clock;
  }

  /** @param fetch reads a Secret by namespace and name from the API server (null when there is none) */
  Secret get(String namespace, String name, BiFunction<String, String, Secret> fetch) {
    Instant now = clock.instant();
    reads.values().removeIf(r -> !now.isBefore(r.at().plus(FRESH_FOR)));
    String key = namespace + "/" + name;
    Read kept = reads.get(key);
    if (kept != null) {
      return kept.secret();
    }
    Secret secret = fetch.apply(namespace, name);
    if (secret != null && !ours(secret)) {
      reads.put(key, new Read(secret, now));
    }
    return secret;
  }

  private static boolean ours(Secret secret) {
    return ClusterLabels.OPERATOR_NAME.equals(Optional.ofNullable(secret.getMetadata().getLabels())
        .map(l -> l.get(ClusterLabels.MANAGED_BY)).orElse(null));
  }
}
