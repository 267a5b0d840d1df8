package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** An EtcdCluster in the same namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClusterReference {
  @Required
  @Size(max = SchemaLimits.OBJECT_NAME)
  @JsonPropertyDescription("Name of the EtcdCluster.")
  private String name;

  public ClusterReference() {}

  public ClusterReference(String name) {
    this.name = name;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }
}
