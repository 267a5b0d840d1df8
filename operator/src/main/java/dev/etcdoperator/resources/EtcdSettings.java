package dev.etcdoperator.resources;

import dev.etcdoperator.api.v1alpha1.EtcdTuning;
import dev.etcdoperator.api.v1alpha1.EtcdTuning.AutoCompactionMode;
import dev.etcdoperator.api.v1alpha1.EtcdTuning.LogLevel;
import dev.etcdoperator.api.v1alpha1.MaintenanceSpec;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * spec.etcd resolved: every typed setting is either set or empty (etcd's own default applies), and extraArgs is
 * sorted so the rendered args, and therefore the pod template, are identical on every reconcile.
 */
public record EtcdSettings(
    Optional<Long> quotaBackendBytes,
    Optional<Integer> heartbeatIntervalMillis,
    Optional<Integer> electionTimeoutMillis,
    Optional<Long> snapshotCount,
    Optional<Integer> maxRequestBytes,
    Optional<AutoCompactionMode> autoCompactionMode,
    Optional<String> autoCompactionRetention,
    Optional<LogLevel> logLevel,
    SortedMap<String, String> extraArgs) {

  public static final EtcdSettings DEFAULTS = new EtcdSettings(Optional.empty(), Optional.empty(), Optional.empty(),
      Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), new TreeMap<>());

  public EtcdSettings {
    Objects.requireNonNull(quotaBackendBytes, "quotaBackendBytes");
    Objects.requireNonNull(heartbeatIntervalMillis, "heartbeatIntervalMillis");
    Objects.requireNonNull(electionTimeoutMillis, "electionTimeoutMillis");
    Objects.requireNonNull(snapshotCount, "snapshotCount");
    Objects.requireNonNull(maxRequestBytes, "maxRequestBytes");
    Objects.requireNonNull(autoCompactionMode, "autoCompactionMode");
    Objects.requireNonNull(autoCompactionRetention, "autoCompactionRetention");
    Objects.requireNonNull(logLevel, "logLevel");
    extraArgs = Collections.unmodifiableSortedMap(new TreeMap<>(Objects.requireNonNull(extraArgs, "extraArgs")));
  }

  /**
   * spec.etcd, with compaction from spec.maintenance.compaction where that is set: one source of truth for etcd's
   * auto-compaction flags (the older spec.etcd.autoCompaction* fields still work alone; SpecProblems refuses the two
   * set to different values).
   */
  static EtcdSettings from(EtcdTuning tuning, MaintenanceSpec maintenance) {
    EtcdSettings settings = from(tuning);
    Optional<MaintenanceSpec.Compaction> compaction = Optional.ofNullable(maintenance)
        .map(MaintenanceSpec::getCompaction).filter(c -> c.getMode() != null && c.getRetention() != null);
    return compaction.map(c -> new EtcdSettings(settings.quotaBackendBytes(), settings.heartbeatIntervalMillis(),
        settings.electionTimeoutMillis(), settings.snapshotCount(), settings.maxRequestBytes(),
        Optional.of(c.getMode()), Optional.of(c.getRetention()), settings.logLevel(), settings.extraArgs()))
        .orElse(settings);
  }

  private static EtcdSettings from(EtcdTuning tuning) {
    if (tuning == null) {
      return DEFAULTS;
    }
    TreeMap<String, String> extra = new TreeMap<>();
    if (tuning.getExtraArgs() != null) {
      // A JSON null value stays visible as an empty string rather than vanishing or breaking the sort.
      tuning.getExtraArgs().forEach((k, v) -> extra.put(k, v == null ? "" : v));
    }
    return new EtcdSettings(
        Optional.ofNullable(tuning.getQuotaBackendBytes()),
        Optional.ofNullable(tuning.getHeartbeatIntervalMillis()),
        Optional.ofNullable(tuning.getElectionTimeoutMillis()),
        Optional.ofNullable(tuning.getSnapshotCount()),
        Optional.ofNullable(tuning.getMaxRequestBytes()),
        Optional.ofNullable(tuning.getAutoCompactionMode()),
        Optional.ofNullable(tuning.getAutoCompactionRetention()).filter(r -> !r.isBlank()),
        Optional.ofNullable(tuning.getLogLevel()),
        extra);
  }
}
