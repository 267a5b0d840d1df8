package dev.etcdoperator.cluster.rollout;

import dev.etcdoperator.api.v1alpha1.RolloutSpec;
import dev.etcdoperator.api.v1alpha1.RolloutStatus;
import dev.etcdoperator.cluster.model.MembershipFacts;
import dev.etcdoperator.etcd.EtcdMember;
import dev.etcdoperator.resources.ClusterNames;
import dev.etcdoperator.resources.MemberContainerBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the rollout planner needs besides the membership: the StatefulSet's update revision (trusted once its
 * controller has seen the current template), each member pod's revision and age, the deadline and the time.
 *
 * @param updateRevision the StatefulSet's {@code status.updateRevision}
 * @param statefulSetCurrent whether the StatefulSet controller has observed the current template generation
 * @param templateImage the etcd image of the StatefulSet's pod template
 * @param pods the member pods that are not being deleted, by ordinal
 */
public record RolloutFacts(Optional<String> updateRevision, boolean statefulSetCurrent, String templateImage,
    Map<Integer, MemberPod> pods, Duration progressDeadline, Instant now) {

  /**
   * A member pod: its UID, its revision ({@code controller-revision-hash}), when it was created, its image, and
   * since when it is Ready (empty while it is not).
   */
  public record MemberPod(String uid, String revision, Instant created, String image,
      Optional<Instant> readySince) {}

  public RolloutFacts {
    pods = new TreeMap<>(pods);
  }

  static final String REVISION_LABEL = "controller-revision-hash";

  public static RolloutFacts of(ClusterNames names, StatefulSet statefulSet, Collection<Pod> pods, RolloutSpec spec,
      Clock clock) {
    Optional<String> revision = Optional.ofNullable(statefulSet.getStatus()).map(s -> s.getUpdateRevision());
    long generation = Optional.ofNullable(statefulSet.getMetadata().getGeneration()).orElse(0L);
    boolean current = statefulSet.getStatus() != null && statefulSet.getStatus().getObservedGeneration() != null
        && statefulSet.getStatus().getObservedGeneration() >= generation;
    Map<Integer, MemberPod> byOrdinal = new TreeMap<>();
    String prefix = names.statefulSet() + "-";
    for (Pod pod : pods) {
      String name = pod.getMetadata().getName();
      if (pod.getMetadata().getDeletionTimestamp() != null || !name.startsWith(prefix)
          || !name.substring(prefix.length()).matches("\\d{1,4}")) {
        continue;
      }
      String podRevision = Optional.ofNullable(pod.getMetadata().getLabels()).map(l -> l.get(REVISION_LABEL))
          .orElse("");
      Instant created = Instant.parse(pod.getMetadata().getCreationTimestamp());
      byOrdinal.put(Integer.parseInt(name.substring(prefix.length())), new MemberPod(pod.getMetadata().getUid(),
          podRevision, created, etcdImage(pod.getSpec()), readySince(pod, created)));
    }
    int deadline = Optional.ofNullable(spec).map(RolloutSpec::getProgressDeadlineSeconds)
        .orElse(RolloutSpec.DEFAULT_PROGRESS_DEADLINE_SECONDS);
    return new RolloutFacts(revision, current, etcdImage(statefulSet.getSpec().getTemplate().getSpec()), byOrdinal,
        Duration.ofSeconds(deadline), clock.instant());
  }

  private static Optional<Instant> readySince(Pod pod, Instant created) {
    return Optional.ofNullable(pod.getStatus()).map(s -> s.getConditions()).orElse(List.of()).stream()
        .filter(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())).findFirst()
        .map(c -> c.getLastTransitionTime() == null ? created : Instant.parse(c.getLastTransitionTime()));
  }

  private static String etcdImage(PodSpec spec) {
    return spec.getContainers().stream().filter(c -> MemberContainerBuilder.CONTAINER_NAME.equals(c.getName()))
        .map(Container::getImage).findFirst().orElse("");
  }

  /** Where the rollout stands, for the status; empty when every member runs the current revision. */
  public Optional<RolloutStatus> progress(MembershipFacts members, String fromVersion, String version) {
    if (updateRevision.isEmpty()) {
      return Optional.empty();
    }
    List<EtcdMember> voters = members.voters();
    long updated = voters.stream().filter(m -> members.ordinalOf(m).isPresent())
        .map(m -> pods.get(members.ordinalOf(m).getAsInt()))
        .filter(p -> p != null && p.revision().equals(updateRevision.get())).count();
    return updated == voters.size() ? Optional.empty()
        : Optional.of(new RolloutStatus(updateRevision.get(), fromVersion, version, (int) updated, voters.size()));
  }
}
