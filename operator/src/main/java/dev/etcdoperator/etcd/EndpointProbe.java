package dev.etcdoperator.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.cluster.MemberListResponse;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.maintenance.AlarmResponse;
import io.etcd.jetcd.maintenance.StatusResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Questions to one member endpoint, all sent at once over that member's kept channel, then awaited against one
 * shared deadline: a dead or paused member costs at most one request timeout, however many calls. The channel is
 * borrowed ({@link ProbeChannels}); the probe does not close it.
 */
final class EndpointProbe {

  private static final Logger LOG = LoggerFactory.getLogger(EndpointProbe.class);
  /** Same key etcdctl's "endpoint health" reads: a missing key is fine, the read just has to get through raft. */
  private static final ByteSequence HEALTH_KEY = ByteSequence.from("health", StandardCharsets.UTF_8);

  private final URI endpoint;
  private final Duration timeout;
  private final CompletableFuture<MemberListResponse> members;
  private final CompletableFuture<StatusResponse> status;
  private final CompletableFuture<GetResponse> read;
  private final CompletableFuture<AlarmResponse> alarms;

  private EndpointProbe(MemberChannel channel, URI endpoint, Duration timeout, boolean full) {
    this.endpoint = endpoint;
    this.timeout = timeout;
    // Linearizable read: proves the member is connected to a quorum with a leader.
    this.read = channel.read(HEALTH_KEY);
    this.alarms = channel.alarms();
    this.members = full ? channel.members() : null;
    this.status = full ? channel.status() : null;
  }

  /** Only what {@code etcdctl endpoint health} checks: a linearizable read and no alarms. */
  static EndpointProbe health(MemberChannel channel, URI endpoint, Duration timeout) {
    return new EndpointProbe(channel, endpoint, timeout, false);
  }

  /** Health plus the member's own status and its view of the member list. */
  static EndpointProbe full(MemberChannel channel, URI endpoint, Duration timeout) {
    return new EndpointProbe(channel, endpoint, timeout, true);
  }

  /**
   * @param status        the member's status, if it answered
   * @param statusCluster cluster id in the status answer's header (0 when absent)
   * @param members       the member list as this member sees it, if it answered
   * @param healthError   why the member is not healthy (it cannot serve a linearizable read), empty when healthy
   * @param alarms        the cluster's active alarms, as this member lists them
   * @param errorSummary  every failed call in one line (empty when none failed)
   */
  record Result(URI endpoint, Optional<MemberStatus> status, long statusCluster, Optional<MemberList> members,
      Optional<String> healthError, List<EtcdAlarm> alarms, String errorSummary) {

    boolean healthy() {
      return healthError.isEmpty();
    }
  }

  Result await(long deadlineNanos) {
    Map<String, String> failures = new LinkedHashMap<>();
    Optional<MemberList> memberList = members == null ? Optional.empty()
        : get(members, deadlineNanos, "member list", failures).map(Convert::memberList);
    Optional<StatusResponse> statusResponse = status == null ? Optional.empty()
        : get(status, deadlineNanos, "status", failures);
    Map<String, String> healthFailures = new LinkedHashMap<>();
    Optional<GetResponse> readResponse = get(read, deadlineNanos, "linearizable read", healthFailures);
    Optional<AlarmResponse> alarmResponse = get(alarms, deadlineNanos, "alarm list", healthFailures);
    failures.putAll(healthFailures);

    // An alarm is the cluster's state, not this member's health: a member that serves linearizable reads is healthy.
    Optional<String> healthError = readResponse.isEmpty() || alarmResponse.isEmpty()
        ? Optional.of(summarize(healthFailures)) : Optional.empty();
    List<EtcdAlarm> active = alarmResponse.map(a -> a.getAlarms().stream().map(Convert::alarm).toList())
        .orElse(List.of());
    return new Result(endpoint, statusResponse.map(s -> Convert.status(endpoint, s)),
        statusResponse.map(s -> s.getHeader().getClusterId()).orElse(0L), memberList, healthError, active,
        summarize(failures));
  }

  /**
   * One line per distinct reason: a dead member fails every call the same way, and "status, linearizable read:
   * UNAVAILABLE ... (Connection refused ...)" reads better than the same reason four times.
   */
  static String summarize(Map<String, String> failures) {
    Map<String, List<String>> callsByReason = new LinkedHashMap<>();
    failures.forEach((what, reason) -> callsByReason.computeIfAbsent(reason, r -> new ArrayList<>()).add(what));
    return callsByReason.entrySet().stream()
        .map(e -> String.join(", ", e.getValue()) + ": " + e.getKey())
        .collect(Collectors.joining("; "));
  }

  private <T> Optional<T> get(CompletableFuture<T> future, long deadlineNanos, String what,
      Map<String, String> failures) {
    try {
      return Optional.of(future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      future.cancel(true);
      failures.put(what, Failures.noAnswer(timeout));
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      failures.put(what, "interrupted while waiting");
    } catch (ExecutionException | CancellationException e) {
      LOG.debug("{} of {} failed", what, endpoint, e);
      failures.put(what, Failures.reason(e, timeout));
    }
    return Optional.empty();
  }
}
