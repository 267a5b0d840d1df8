package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import java.util.Objects;

/** Scrape objects for the Prometheus Operator (monitoring.coreos.com); none by default. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MonitoringSpec {
  @Default("false")
  @JsonPropertyDescription("Create a PodMonitor <cluster>-members that scrapes every member's plain-HTTP metrics "
      + "port (2381) with job etcd and the labels namespace, cluster and pod. Needs the Prometheus Operator's "
      + "CRDs; without them condition MonitoringReady says so and nothing is created. Off again deletes it.")
  private Boolean podMonitor = false;

  public Boolean getPodMonitor() {
    return podMonitor;
  }

  public void setPodMonitor(Boolean podMonitor) {
    this.podMonitor = podMonitor;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MonitoringSpec m && Objects.equals(podMonitor, m.podMonitor);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(podMonitor);
  }
}
