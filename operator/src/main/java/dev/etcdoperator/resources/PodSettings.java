package dev.etcdoperator.resources;

import dev.etcdoperator.api.v1alpha1.EtcdPodTemplate;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * spec.podTemplate resolved. Fabric8 model objects are mutable, so this record holds private copies and hands out
 * fresh copies: an object a builder returned may be changed by its caller without touching the blueprint.
 */
public record PodSettings(
    SortedMap<String, String> labels,
    SortedMap<String, String> annotations,
    Optional<ResourceRequirements> resources,
    Optional<Affinity> affinity,
    List<Toleration> tolerations,
    SortedMap<String, String> nodeSelector,
    List<TopologySpreadConstraint> topologySpreadConstraints,
    Optional<String> priorityClassName) {

  public static final PodSettings DEFAULTS = new PodSettings(new TreeMap<>(), new TreeMap<>(), Optional.empty(),
      Optional.empty(), List.of(), new TreeMap<>(), List.of(), Optional.empty());

  public PodSettings {
    labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    annotations = Collections.unmodifiableSortedMap(new TreeMap<>(annotations));
    resources = resources.map(PodSettings::copy);
    affinity = affinity.map(PodSettings::copy);
    tolerations = tolerations.stream().map(PodSettings::copy).toList();
    nodeSelector = Collections.unmodifiableSortedMap(new TreeMap<>(nodeSelector));
    topologySpreadConstraints = topologySpreadConstraints.stream().map(PodSettings::copy).toList();
    Objects.requireNonNull(priorityClassName, "priorityClassName");
  }

  static PodSettings from(EtcdPodTemplate template) {
    if (template == null) {
      return DEFAULTS;
    }
    return new PodSettings(
        orEmpty(template.getLabels()),
        orEmpty(template.getAnnotations()),
        Optional.ofNullable(template.getResources()),
        Optional.ofNullable(template.getAffinity()),
        template.getTolerations() == null ? List.of() : template.getTolerations(),
        orEmpty(template.getNodeSelector()),
        template.getTopologySpreadConstraints() == null ? List.of() : template.getTopologySpreadConstraints(),
        Optional.ofNullable(template.getPriorityClassName()).filter(p -> !p.isBlank()));
  }

  @Override
  public Optional<ResourceRequirements> resources() {
    return resources.map(PodSettings::copy);
  }

  @Override
  public Optional<Affinity> affinity() {
    return affinity.map(PodSettings::copy);
  }

  @Override
  public List<Toleration> tolerations() {
    return tolerations.stream().map(PodSettings::copy).toList();
  }

  @Override
  public List<TopologySpreadConstraint> topologySpreadConstraints() {
    return topologySpreadConstraints.stream().map(PodSettings::copy).toList();
  }

  private static SortedMap<String, String> orEmpty(Map<String, String> map) {
    return map == null ? new TreeMap<>() : new TreeMap<>(map);
  }

  // Fabric8 builders constructed from an instance copy nested model objects too.
  private static ResourceRequirements copy(ResourceRequirements r) {
    return new ResourceRequirementsBuilder(r).build();
  }

  private static Affinity copy(Affinity a) {
    return new AffinityBuilder(a).build();
  }

  private static Toleration copy(Toleration t) {
    return new TolerationBuilder(t).build();
  }

  private static TopologySpreadConstraint copy(TopologySpreadConstraint t) {
    return new TopologySpreadConstraintBuilder(t).build();
  }
}
