package dev.etcdoperator.cluster.rollout;

import dev.etcdoperator.cluster.model.MemberObjects;
import dev.etcdoperator.resources.MemberTls;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Optional;

/** Whether every member runs, Ready, the StatefulSet's current pod template, and that template has a given trait. */
public final class MembersRun {
  private MembersRun() {}

  /** Every member pod is Ready on the current revision of a template carrying this TLS trust generation. */
  public static boolean generation(Optional<StatefulSet> statefulSet, List<Pod> pods, String trustGeneration) {
    if (statefulSet.isEmpty()) {
      return false;
    }
    StatefulSet sts = statefulSet.get();
    String templateGeneration = Optional.ofNullable(sts.getSpec().getTemplate().getMetadata())
        .map(m -> m.getAnnotations()).map(a -> a.get(MemberTls.TRUST_GENERATION_ANNOTATION)).orElse(null);
    if (!trustGeneration.equals(templateGeneration) || sts.getStatus() == null
        || sts.getStatus().getUpdateRevision() == null || sts.getStatus().getObservedGeneration() == null
        || sts.getStatus().getObservedGeneration() < Optional.ofNullable(sts.getMetadata().getGeneration()).orElse(0L)) {
      return false;
    }
    String revision = sts.getStatus().getUpdateRevision();
    List<Pod> live = pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    return live.size() == Optional.ofNullable(sts.getSpec().getReplicas()).orElse(0) && live.stream().allMatch(p ->
        revision.equals(p.getMetadata().getLabels().get(RolloutFacts.REVISION_LABEL)) && MemberObjects.isReady(p));
  }
}
