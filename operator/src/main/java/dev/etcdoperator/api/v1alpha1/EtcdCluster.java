package dev.etcdoperator.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A highly available etcd cluster managed by the operator. */
@Group(EtcdCluster.GROUP)
@Version(EtcdCluster.VERSION)
@Kind("EtcdCluster")
@Plural("etcdclusters")
@Singular("etcdcluster")
@ShortNames("etcd")
@AdditionalPrinterColumn(name = "Ready", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(name = "Replicas", type = AdditionalPrinterColumn.Type.INTEGER, jsonPath = ".spec.replicas")
@AdditionalPrinterColumn(name = "ReadyReplicas", type = AdditionalPrinterColumn.Type.INTEGER,
    jsonPath = ".status.readyReplicas")
@AdditionalPrinterColumn(name = "Version", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.currentVersion")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE, jsonPath = ".metadata.creationTimestamp")
@AdditionalPrinterColumn(name = "Leader", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.leader",
    priority = 1)
@AdditionalPrinterColumn(name = "Reason", type = AdditionalPrinterColumn.Type.STRING, priority = 1,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason")
public class EtcdCluster extends CustomResource<EtcdClusterSpec, EtcdClusterStatus> implements Namespaced {
  public static final String GROUP = "etcdoperator.dev";
  public static final String VERSION = "v1alpha1";

  /** Set to "true" to stop all changes to the cluster while status keeps being reported (like spec.paused). */
  public static final String PAUSE_ANNOTATION = GROUP + "/paused";

  /**
   * No spec or status in a new instance: JOSDK adds its finalizer by server-side apply of a new instance holding only
   * metadata, and a default spec in it (replicas: 3, ...) would overwrite the user's.
   */
  @Override
  protected EtcdClusterSpec initSpec() {
    return null;
  }

  @Override
  protected EtcdClusterStatus initStatus() {
    return null;
  }
}
