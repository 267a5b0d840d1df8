package dev.etcdoperator.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.maintenance.AlarmMember;
import io.etcd.jetcd.maintenance.AlarmType;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The maintenance calls of the {@link EtcdClient} facade: compaction, defragmentation of one member, disarming an
 * alarm. Obtained from {@link EtcdClient#maintenance()}; shares its connection.
 */
public final class EtcdMaintenance {
  /** etcd's answer to a compaction at or below the revision compacted last (mvcc.ErrCompacted). */
  private static final String ALREADY_COMPACTED = "required revision has been compacted";
  private final Client client;
  private final Duration timeout;
  private final List<URI> endpoints;

  EtcdMaintenance(Client client, Duration timeout, List<URI> endpoints) {
    this.client = client;
    this.timeout = timeout;
    this.endpoints = List.copyOf(endpoints);
  }

  /** What one defragmentation did to a member's database file. */
  public record Defragmented(URI endpoint, long bytesBefore, long bytesAfter, Duration took) {}

  /**
   * Defragments the member at {@code endpoint}: it rewrites its database file and answers no request meanwhile.
   *
   * @param deadline how long the member may take: a large database takes seconds per gigabyte
   */
  public Defragmented defragment(URI endpoint, Duration deadline) {
    long before = dbSize(endpoint);
    long start = System.nanoTime();
    Failures.await(client.getMaintenanceClient().defragmentMember(Endpoints.target(endpoint)),
        start + deadline.toNanos(), "defragment", List.of(endpoint), deadline);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    return new Defragmented(endpoint, before, dbSize(endpoint), took);
  }

  /**
   * Compacts the key space up to {@code revision} (older revisions of keys are gone; watches and reads at them
   * fail) and waits until every member has applied it to its database.
   */
  public void compact(long revision) {
    try {
      Failures.await(client.getKVClient().compact(revision, CompactOption.newBuilder().withCompactPhysical(true)
          .build()), System.nanoTime() + timeout.toNanos(), "compact to revision " + revision, endpoints, timeout);
    } catch (EtcdClientException e) {
      // Compacted to that revision already (nothing written since the last compaction): the state asked for.
      if (!e.getMessage().contains(ALREADY_COMPACTED)) {
        throw e;
      }
    }
  }

  /**
   * The revision the key space was compacted to last (0: never): revisions below it are gone. etcd reports it only
   * to a watch that starts below it, so a read at revision 1 comes first: it succeeds while nothing was compacted.
   */
  public long compactedRevision() {
    ByteSequence anyKey = ByteSequence.from(new byte[] {0});
    try {
      Failures.await(client.getKVClient().get(anyKey, GetOption.builder().withRevision(1).withCountOnly(true)
          .build()), System.nanoTime() + timeout.toNanos(), "read at revision 1", endpoints, timeout);
      return 0;
    } catch (EtcdClientException e) {
      if (!e.getMessage().contains(ALREADY_COMPACTED)) {
        throw e;
      }
    }
    CompletableFuture<Long> compacted = new CompletableFuture<>();
    try (Watch.Watcher watcher = client.getWatchClient().watch(anyKey, WatchOption.builder().withRevision(1).build(),
        Watch.listener(response -> { }, failure -> {
          if (failure instanceof CompactedException c) {
            compacted.complete(c.getCompactedRevision());
          } else {
            compacted.completeExceptionally(failure);
          }
        }))) {
      return Failures.await(compacted, System.nanoTime() + timeout.toNanos(), "watch from revision 1", endpoints,
          timeout);
    }
  }

  /** The cluster's current revision, as the member at {@code endpoint} knows it. */
  public long revision(URI endpoint) {
    return status(endpoint).getHeader().getRevision();
  }

  /**
   * Disarms a NOSPACE alarm: etcd accepts writes again once no alarm is left, and raises it again if the member is
   * still over its quota. CORRUPT is never disarmed here: a member whose data differs needs a human.
   */
  public void disarmNoSpace(EtcdAlarm alarm) {
    if (!EtcdAlarm.NOSPACE.equals(alarm.type())) {
      throw new IllegalArgumentException("only NOSPACE alarms are disarmed, not " + alarm);
    }
    Failures.await(client.getMaintenanceClient().alarmDisarm(new AlarmMember(alarm.memberId(), AlarmType.NOSPACE)),
        System.nanoTime() + timeout.toNanos(), "alarm disarm", endpoints, timeout);
  }

  private long dbSize(URI endpoint) {
    return status(endpoint).getDbSize();
  }

  private io.etcd.jetcd.maintenance.StatusResponse status(URI endpoint) {
    return Failures.await(client.getMaintenanceClient().statusMember(Endpoints.target(endpoint)),
        System.nanoTime() + timeout.toNanos(), "status", List.of(endpoint), timeout);
  }
}
