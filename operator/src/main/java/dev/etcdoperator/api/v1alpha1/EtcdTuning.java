package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/** Typed etcd settings; anything else goes through extraArgs. Unset fields keep etcd's own defaults. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "(has(self.electionTimeoutMillis) ? self.electionTimeoutMillis : 1000) >= "
    + "5 * (has(self.heartbeatIntervalMillis) ? self.heartbeatIntervalMillis : 100)",
    message = "electionTimeoutMillis must be at least 5 times heartbeatIntervalMillis (etcd defaults: 1000 and 100)")
public class EtcdTuning {
  public enum AutoCompactionMode { periodic, revision }

  public enum LogLevel { debug, info, warn, error }

  @Min(0)
  @Max(8589934592.0)
  @JsonPropertyDescription("Backend quota in bytes (etcd default 2 GiB, recommended maximum 8 GiB).")
  private Long quotaBackendBytes;

  @Min(10)
  @Max(5000)
  @JsonPropertyDescription("Raft heartbeat interval in milliseconds (etcd default 100).")
  private Integer heartbeatIntervalMillis;

  @Min(50)
  @Max(50000)
  @JsonPropertyDescription("Raft election timeout in milliseconds (etcd default 1000).")
  private Integer electionTimeoutMillis;

  @Min(1)
  @JsonPropertyDescription("Committed transactions that trigger a snapshot to disk.")
  private Long snapshotCount;

  @Min(1)
  @Max(67108864)
  @JsonPropertyDescription("Maximum client request size in bytes (etcd default 1.5 MiB).")
  private Integer maxRequestBytes;

  @JsonPropertyDescription("Auto-compaction mode: periodic (retention is a duration) or revision (a count).")
  private AutoCompactionMode autoCompactionMode;

  @Pattern("^[0-9]+(h|m|s)?$")
  @Size(max = SchemaLimits.KEYWORD)
  @JsonPropertyDescription("Auto-compaction retention, e.g. 1h (periodic) or 10000 (revision).")
  private String autoCompactionRetention;

  @JsonPropertyDescription("etcd log level.")
  private LogLevel logLevel;

  @Size(max = SchemaLimits.EXTRA_ARGS)
  @ValidationRule(value = "self.all(k, !(k in " + ManagedEtcdFlags.CEL_LIST + "))",
      message = "extraArgs may not set flags the operator manages (membership, URLs, TLS, data dir, logging, and the"
          + " typed fields of spec.etcd)")
  @ValidationRule(value = "!('unsafe-no-fsync' in self) && (!('strict-reconfig-check' in self) "
      + "|| self['strict-reconfig-check'] == 'true')", message = "extraArgs may not weaken etcd's own safety: "
      + "unsafe-no-fsync loses acknowledged writes on power loss, strict-reconfig-check=false lets membership "
      + "changes through that cost quorum")
  @ValidationRule(value = "self.all(k, !k.startsWith('-'))",
      message = "extraArgs keys are flag names without leading dashes, e.g. 'experimental-corrupt-check-time'")
  @JsonPropertyDescription("Further etcd flags by name without dashes, e.g. {\"experimental-corrupt-check-time\": \"4h\"}.")
  private Map<String, String> extraArgs;

  public Long getQuotaBackendBytes() {
    return quotaBackendBytes;
  }

  public void setQuotaBackendBytes(Long quotaBackendBytes) {
    this.quotaBackendBytes = quotaBackendBytes;
  }

  public Integer getHeartbeatIntervalMillis() {
    return heartbeatIntervalMillis;
  }

  public void setHeartbeatIntervalMillis(Integer heartbeatIntervalMillis) {
    this.heartbeatIntervalMillis = heartbeatIntervalMillis;
  }

  public Integer getElectionTimeoutMillis() {
    return electionTimeoutMillis;
  }

  public void setElectionTimeoutMillis(Integer electionTimeoutMillis) {
    this.electionTimeoutMillis = electionTimeoutMillis;
  }

  public Long getSnapshotCount() {
    return snapshotCount;
  }

  public void setSnapshotCount(Long snapshotCount) {
    this.snapshotCount = snapshotCount;
  }

  public Integer getMaxRequestBytes() {
    return maxRequestBytes;
  }

  public void setMaxRequestBytes(Integer maxRequestBytes) {
    this.maxRequestBytes = maxRequestBytes;
  }

  public AutoCompactionMode getAutoCompactionMode() {
    return autoCompactionMode;
  }

  public void setAutoCompactionMode(AutoCompactionMode autoCompactionMode) {
    this.autoCompactionMode = autoCompactionMode;
  }

  public String getAutoCompactionRetention() {
    return autoCompactionRetention;
  }

  public void setAutoCompactionRetention(String autoCompactionRetention) {
    this.autoCompactionRetention = autoCompactionRetention;
  }

  public LogLevel getLogLevel() {
    return logLevel;
  }

  public void setLogLevel(LogLevel logLevel) {
    this.logLevel = logLevel;
  }

  public Map<String, String> getExtraArgs() {
    return extraArgs;
  }

  public void setExtraArgs(Map<String, String> extraArgs) {
    this.extraArgs = extraArgs;
  }
}
