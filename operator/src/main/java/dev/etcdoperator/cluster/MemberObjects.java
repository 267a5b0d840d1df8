package dev.etcdoperator.cluster;

import dev.etcdoperator.resources.ClusterNames;
import dev.etcdoperator.resources.MemberStatefulSetBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Collection;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Which member ordinals have a pod or a volume claim, by the names the StatefulSet gives them. */
final class MemberObjects {
  private MemberObjects() {}

  /** Ordinals of member pods that are not being deleted ({@code <sts>-<ordinal>}). */
  static Set<Integer> podOrdinals(ClusterNames names, Collection<Pod> pods) {
    return live(pods).map(p -> ordinal(p.getMetadata().getName(), names.statefulSet() + "-"))
        .filter(OptionalInt::isPresent).map(OptionalInt::getAsInt).collect(Collectors.toSet());
  }

  /** Member data claims that are not being deleted ({@code data-<sts>-<ordinal>}), by ordinal. */
  static SortedMap<Integer, String> claimOrdinals(ClusterNames names, Collection<PersistentVolumeClaim> claims) {
    String prefix = MemberStatefulSetBuilder.DATA_VOLUME + "-" + names.statefulSet() + "-";
    SortedMap<Integer, String> byOrdinal = new TreeMap<>();
    live(claims).forEach(c -> ordinal(c.getMetadata().getName(), prefix)
        .ifPresent(o -> byOrdinal.put(o, c.getMetadata().getName())));
    return byOrdinal;
  }

  private static <T extends HasMetadata> java.util.stream.Stream<T> live(Collection<T> objects) {
    return objects.stream().filter(o -> o.getMetadata().getDeletionTimestamp() == null);
  }

  private static OptionalInt ordinal(String name, String prefix) {
    if (!name.startsWith(prefix)) {
      return OptionalInt.empty();
    }
    return Optional.of(name.substring(prefix.length())).filter(s -> s.matches("\\d{1,4}"))
        .map(s -> OptionalInt.of(Integer.parseInt(s))).orElse(OptionalInt.empty());
  }
}
