package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.util.Objects;

/** How the operator rolls a changed pod template (version, image, flags, resources) out to the members. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutSpec {
  public static final int DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

  @Default("600")
  @Min(10)
  @Max(86400)
  @JsonPropertyDescription("How long a restarted member may take to become healthy again; after that the rollout "
      + "stops (Progressing=False, reason RolloutStalled) and no other member is touched until the spec changes.")
  private Integer progressDeadlineSeconds = DEFAULT_PROGRESS_DEADLINE_SECONDS;

  public Integer getProgressDeadlineSeconds() {
    return progressDeadlineSeconds;
  }

  public void setProgressDeadlineSeconds(Integer progressDeadlineSeconds) {
    this.progressDeadlineSeconds = progressDeadlineSeconds;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RolloutSpec r && Objects.equals(progressDeadlineSeconds, r.progressDeadlineSeconds);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(progressDeadlineSeconds);
  }
}
