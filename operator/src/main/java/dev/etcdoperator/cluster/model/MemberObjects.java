package dev.etcdoperator.cluster.model;

import dev.etcdoperator.cluster.model.MembershipFacts.MemberClaim;
import dev.etcdoperator.resources.ClusterNames;
import dev.etcdoperator.resources.MemberStatefulSetBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which member ordinals have a pod (with its UID), a pod that keeps failing or has not started, or a volume claim, by
 * the names the StatefulSet gives them ({@code <sts>-<ordinal>}, {@code data-<sts>-<ordinal>}). Objects being deleted
 * do not count.
 */
public record MemberObjects(SortedMap<Integer, String> pods, Set<Integer> failingPods, Set<Integer> pendingPods,
    SortedMap<Integer, MemberClaim> claims, Duration failingAfter) {
  /** @param failingAfter how long a pod is not Ready, restarting meanwhile, before it counts as failing */
  public static MemberObjects of(ClusterNames names, Collection<Pod> pods, Collection<PersistentVolumeClaim> claims,
      Clock clock, Duration failingAfter) {
    String podPrefix = names.statefulSet() + "-";
    SortedMap<Integer, String> podUids = new TreeMap<>();
    live(pods).forEach(p -> ordinal(p.getMetadata().getName(), podPrefix)
        .ifPresent(o -> podUids.put(o, p.getMetadata().getUid())));
    Set<Integer> failing = podOrdinals(pods, podPrefix, p -> keepsFailing(p, clock.instant(), failingAfter));
    Set<Integer> pending = podOrdinals(pods, podPrefix,
        p -> p.getStatus() != null && "Pending".equals(p.getStatus().getPhase()));
    String claimPrefix = MemberStatefulSetBuilder.DATA_VOLUME + "-" + podPrefix;
    SortedMap<Integer, MemberClaim> byOrdinal = new TreeMap<>();
    live(claims).forEach(c -> ordinal(c.getMetadata().getName(), claimPrefix).ifPresent(o -> byOrdinal.put(o,
        new MemberClaim(c.getMetadata().getName(), c.getMetadata().getUid()))));
    return new MemberObjects(podUids, failing, pending, byOrdinal, failingAfter);
  }

  /** The UID of each member's claim, by member (pod) name. */
  public Map<String, String> claimUidsByMember(ClusterNames names) {
    Map<String, String> uids = new HashMap<>();
    claims.forEach((ordinal, claim) -> uids.put(names.podName(ordinal), claim.uid()));
    return uids;
  }

  /** The UID of each member's pod, by member (pod) name: where an emptyDir member's data lives. */
  public Map<String, String> podUidsByMember(ClusterNames names) {
    Map<String, String> uids = new HashMap<>();
    pods.forEach((ordinal, uid) -> uids.put(names.podName(ordinal), uid));
    return uids;
  }

  public static boolean isReady(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
        .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** Not Ready since {@code failingAfter} or longer, and its container has restarted. */
  static boolean keepsFailing(Pod pod, Instant now, Duration failingAfter) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return false;
    }
    boolean restarted = Optional.ofNullable(pod.getStatus().getContainerStatuses()).orElse(List.of())
        .stream().anyMatch(c -> c.getRestartCount() != null && c.getRestartCount() > 0);
    return restarted && pod.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()) && "False".equals(c.getStatus()))
        .map(c -> since(c.getLastTransitionTime()))
        .anyMatch(since -> since.isPresent() && !since.get().plus(failingAfter).isAfter(now));
  }

  private static Optional<Instant> since(String timestamp) {
    try {
      return Optional.ofNullable(timestamp).map(Instant::parse);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static <T extends HasMetadata> Stream<T> live(Collection<T> objects) {
    return objects.stream().filter(o -> o.getMetadata().getDeletionTimestamp() == null);
  }

  private static Set<Integer> podOrdinals(Collection<Pod> pods, String prefix, Predicate<Pod> which) {
    return live(pods).filter(which).map(p -> ordinal(p.getMetadata().getName(), prefix))
        .filter(OptionalInt::isPresent).map(OptionalInt::getAsInt).collect(Collectors.toSet());
  }

  private static OptionalInt ordinal(String name, String prefix) {
    if (!name.startsWith(prefix)) {
      return OptionalInt.empty();
    }
    return Optional.of(name.substring(prefix.length())).filter(s -> s.matches("\\d{1,4}"))
        .map(s -> OptionalInt.of(Integer.parseInt(s))).orElse(OptionalInt.empty());
  }
}
