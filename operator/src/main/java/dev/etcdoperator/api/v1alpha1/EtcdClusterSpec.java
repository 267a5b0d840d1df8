package dev.etcdoperator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.bootstrap) || !has(self.bootstrap.restore) || !has(self.storage) "
    + "|| !has(self.storage.emptyDir)", message = "bootstrap.restore needs persistent storage: with storage.emptyDir "
    + "a member would start empty again after any restart")
// On spec, not on bootstrap: a rule on an optional field is not evaluated when the field is added or removed.
@ValidationRule(value = "has(self.bootstrap) == has(oldSelf.bootstrap)", message = "bootstrap cannot be added or "
    + "removed after the cluster is created: it only applies when the cluster is created")
public class EtcdClusterSpec {
  public static final int DEFAULT_REPLICAS = 3;

  @SpecReplicas
  @Default("3")
  @Min(1)
  @Max(9)
  @ValidationRule(value = "self % 2 == 1", message = "replicas must be odd (1, 3, 5, 7 or 9): an even member count "
      + "tolerates no more failures than the odd count below it")
  @JsonPropertyDescription("Number of etcd members: 1, 3, 5, 7 or 9.")
  private Integer replicas = DEFAULT_REPLICAS;

  @Pattern("^\\d+\\.\\d+\\.\\d+$")
  @Size(max = SchemaLimits.VERSION)
  // Transition rules in core CEL only (startsWith), over the minors this operator runs; the operator checks the
  // same against the version the members actually run (and the patch level a minor upgrade needs).
  @ValidationRule(value = "!(oldSelf.startsWith('3.7.') && (self.startsWith('3.5.') || self.startsWith('3.4.'))) "
      + "&& !(oldSelf.startsWith('3.6.') && self.startsWith('3.4.')) "
      + "&& !(oldSelf.startsWith('3.5.') && self.startsWith('3.4.'))",
      message = "version: etcd goes back one minor version at a time and only from 3.6 on (3.7 to 3.6, 3.6 to 3.5, "
          + "through its downgrade API); 3.5 cannot return to 3.4")
  @ValidationRule(value = "!(oldSelf.startsWith('3.4.') && (self.startsWith('3.6.') || self.startsWith('3.7.'))) "
      + "&& !(oldSelf.startsWith('3.5.') && self.startsWith('3.7.'))",
      message = "version: etcd upgrades one minor version at a time: 3.4 to 3.5, 3.5 to 3.6, then 3.6 to 3.7")
  // The floors of UpgradePath.MINIMUM_BEFORE, for a spec.version set before: 3.5.32+ before 3.6, 3.6.11+ before 3.7.
  @ValidationRule(value = "!(oldSelf.startsWith('3.5.') && self.startsWith('3.6.')) "
      + "|| oldSelf.matches('^3[.]5[.](3[2-9]|[4-9][0-9]|[1-9][0-9][0-9]+)$')",
      message = "version: etcd's upgrade guide requires every member on 3.5.32 or later before moving to 3.6: set the "
          + "newest 3.5 patch first")
  @ValidationRule(value = "!(oldSelf.startsWith('3.6.') && self.startsWith('3.7.')) "
      + "|| oldSelf.matches('^3[.]6[.](1[1-9]|[2-9][0-9]|[1-9][0-9][0-9]+)$')",
      message = "version: etcd's upgrade guide requires every member on 3.6.11 or later before moving to 3.7: set the "
          + "newest 3.6 patch first")
  @JsonPropertyDescription("etcd version to run, e.g. 3.5.21. Defaults to the operator's default version. Changes "
      + "roll out one member at a time; a minor version goes up one at a time, and from 3.6 on down one at a time "
      + "(etcd's downgrade API).")
  private String version;

  @Size(max = SchemaLimits.IMAGE)
  @JsonPropertyDescription("Full container image override (e.g. a mirror). Must run the etcd version in spec.version.")
  private String image;

  @Default("false")
  @JsonPropertyDescription("When true the operator makes no changes to the cluster but keeps its status current.")
  private Boolean paused = false;

  @JsonPropertyDescription("Member data storage: a persistent volume per member, or emptyDir for throwaway clusters.")
  private StorageSpec storage;

  @JsonPropertyDescription("etcd tuning.")
  private EtcdTuning etcd;

  @JsonPropertyDescription("Client and peer TLS; on by default, with certificates the operator issues and renews.")
  private TlsSpec tls;

  @JsonPropertyDescription("Allow-listed settings for the member pods.")
  private EtcdPodTemplate podTemplate;

  @JsonPropertyDescription("How changes to the member pods (version, image, flags, resources) are rolled out: one "
      + "member at a time, the leader last.")
  private RolloutSpec rollout;

  @JsonPropertyDescription("Scheduled backups to S3: each run creates an EtcdBackup; retention deletes old ones.")
  private BackupScheduleSpec backup;

  @ValidationRule(value = "self == oldSelf", message = "bootstrap is immutable: it only applies when the cluster "
      + "is created")
  @JsonPropertyDescription("How the cluster starts: empty (default) or restored from a snapshot. Immutable.")
  private BootstrapSpec bootstrap;

  @JsonPropertyDescription("Keeping the database small without a human: compaction of old revisions.")
  private MaintenanceSpec maintenance;

  @JsonPropertyDescription("Scrape objects for the Prometheus Operator: a PodMonitor for the members (off by "
      + "default).")
  private MonitoringSpec monitoring;

  public MonitoringSpec getMonitoring() {
    return monitoring;
  }

  public void setMonitoring(MonitoringSpec monitoring) {
    this.monitoring = monitoring;
  }

  public MaintenanceSpec getMaintenance() {
    return maintenance;
  }

  public void setMaintenance(MaintenanceSpec maintenance) {
    this.maintenance = maintenance;
  }

  public BootstrapSpec getBootstrap() {
    return bootstrap;
  }

  public void setBootstrap(BootstrapSpec bootstrap) {
    this.bootstrap = bootstrap;
  }

  public BackupScheduleSpec getBackup() {
    return backup;
  }

  public void setBackup(BackupScheduleSpec backup) {
    this.backup = backup;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public Boolean getPaused() {
    return paused;
  }

  public void setPaused(Boolean paused) {
    this.paused = paused;
  }

  public StorageSpec getStorage() {
    return storage;
  }

  public void setStorage(StorageSpec storage) {
    this.storage = storage;
  }

  public EtcdTuning getEtcd() {
    return etcd;
  }

  public void setEtcd(EtcdTuning etcd) {
    this.etcd = etcd;
  }

  public TlsSpec getTls() {
    return tls;
  }

  public void setTls(TlsSpec tls) {
    this.tls = tls;
  }

  public RolloutSpec getRollout() {
    return rollout;
  }

  public void setRollout(RolloutSpec rollout) {
    this.rollout = rollout;
  }

  public EtcdPodTemplate getPodTemplate() {
    return podTemplate;
  }

  public void setPodTemplate(EtcdPodTemplate podTemplate) {
    this.podTemplate = podTemplate;
  }
}
