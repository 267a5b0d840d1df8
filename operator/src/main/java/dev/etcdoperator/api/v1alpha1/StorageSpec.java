package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.size) != has(self.emptyDir)",
    message = "set exactly one of storage.size (a persistent volume per member) or storage.emptyDir")
@ValidationRule(value = "!has(self.emptyDir) || !has(self.storageClassName)",
    message = "storage.storageClassName cannot be combined with storage.emptyDir")
@ValidationRule(value = "has(self.emptyDir) == has(oldSelf.emptyDir)",
    message = "cannot switch between emptyDir and persistent storage after creation")
@ValidationRule(value = "has(self.storageClassName) == has(oldSelf.storageClassName)",
    message = "storage.storageClassName is immutable")
public class StorageSpec {
  public static final String DEFAULT_SIZE = "8Gi";
  static final String QUANTITY = "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$";

  @Pattern(QUANTITY)
  @Size(max = SchemaLimits.QUANTITY)
  @ValidationRule(value = "quantity(self).compareTo(quantity(oldSelf)) >= 0",
      message = "storage.size can only grow")
  @JsonPropertyDescription("Size of each member's persistent volume, e.g. 8Gi. Grow-only.")
  private String size;

  @Size(max = SchemaLimits.OBJECT_NAME)
  @ValidationRule(value = "self == oldSelf", message = "storage.storageClassName is immutable")
  @JsonPropertyDescription("Storage class of the members' persistent volumes. Immutable.")
  private String storageClassName;

  @JsonPropertyDescription("Use an emptyDir instead of a persistent volume: data is lost with the pod.")
  private EmptyDirStorage emptyDir;

  @JsonPropertyDescription("Keep the volume claim of a member removed by scale-in (default: delete it). Its data is "
      + "never reused: a later scale-out to that member waits, with a condition, until the claim is deleted.")
  private Boolean retainOnScaleDown;

  /** The storage used when spec.storage is omitted. */
  public static StorageSpec defaultPersistent() {
    StorageSpec spec = new StorageSpec();
    spec.setSize(DEFAULT_SIZE);
    return spec;
  }

  public String getSize() {
    return size;
  }

  public void setSize(String size) {
    this.size = size;
  }

  public String getStorageClassName() {
    return storageClassName;
  }

  public void setStorageClassName(String storageClassName) {
    this.storageClassName = storageClassName;
  }

  public Boolean getRetainOnScaleDown() {
    return retainOnScaleDown;
  }

  public void setRetainOnScaleDown(Boolean retainOnScaleDown) {
    this.retainOnScaleDown = retainOnScaleDown;
  }

  public EmptyDirStorage getEmptyDir() {
    return emptyDir;
  }

  public void setEmptyDir(EmptyDirStorage emptyDir) {
    this.emptyDir = emptyDir;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class EmptyDirStorage {
    @Pattern(QUANTITY)
    @Size(max = SchemaLimits.QUANTITY)
    @JsonPropertyDescription("Optional size limit of the emptyDir.")
    private String sizeLimit;

    @Pattern("^(Memory)?$")
    @Size(max = SchemaLimits.KEYWORD)
    @JsonPropertyDescription("\"Memory\" for a tmpfs; empty for the node's disk.")
    private String medium;

    public String getSizeLimit() {
      return sizeLimit;
    }

    public void setSizeLimit(String sizeLimit) {
      this.sizeLimit = sizeLimit;
    }

    public String getMedium() {
      return medium;
    }

    public void setMedium(String medium) {
      this.medium = medium;
    }
  }
}
