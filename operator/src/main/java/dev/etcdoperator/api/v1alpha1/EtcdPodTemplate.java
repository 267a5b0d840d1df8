package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import java.util.List;
import java.util.Map;

/**
 * The part of the member pods users may shape. Everything else (containers, volumes, security context, probes)
 * belongs to the operator, because etcd's safety depends on it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EtcdPodTemplate {
  @Size(max = SchemaLimits.MAP_ENTRIES)
  @JsonPropertyDescription("Extra labels on member pods (the operator's own labels win on conflict).")
  private Map<String, String> labels;

  @Size(max = SchemaLimits.MAP_ENTRIES)
  @JsonPropertyDescription("Extra annotations on member pods.")
  private Map<String, String> annotations;

  @JsonPropertyDescription("CPU and memory for the etcd container.")
  private ResourceRequirements resources;

  @JsonPropertyDescription("Replaces the default soft anti-affinity across nodes.")
  private Affinity affinity;

  @Size(max = SchemaLimits.TOLERATIONS)
  private List<Toleration> tolerations;

  @Size(max = SchemaLimits.MAP_ENTRIES)
  private Map<String, String> nodeSelector;

  @Size(max = SchemaLimits.TOPOLOGY_SPREAD_CONSTRAINTS)
  private List<TopologySpreadConstraint> topologySpreadConstraints;

  @Size(max = SchemaLimits.OBJECT_NAME)
  private String priorityClassName;

  public Map<String, String> getLabels() {
    return labels;
  }

  public void setLabels(Map<String, String> labels) {
    this.labels = labels;
  }

  public Map<String, String> getAnnotations() {
    return annotations;
  }

  public void setAnnotations(Map<String, String> annotations) {
    this.annotations = annotations;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public Affinity getAffinity() {
    return affinity;
  }

  public void setAffinity(Affinity affinity) {
    this.affinity = affinity;
  }

  public List<Toleration> getTolerations() {
    return tolerations;
  }

  public void setTolerations(List<Toleration> tolerations) {
    this.tolerations = tolerations;
  }

  public Map<String, String> getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(Map<String, String> nodeSelector) {
    this.nodeSelector = nodeSelector;
  }

  public List<TopologySpreadConstraint> getTopologySpreadConstraints() {
    return topologySpreadConstraints;
  }

  public void setTopologySpreadConstraints(List<TopologySpreadConstraint> topologySpreadConstraints) {
    this.topologySpreadConstraints = topologySpreadConstraints;
  }

  public String getPriorityClassName() {
    return priorityClassName;
  }

  public void setPriorityClassName(String priorityClassName) {
    this.priorityClassName = priorityClassName;
  }
}
