package dev.etcdoperator.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** One snapshot of an EtcdCluster, streamed to an S3 bucket. The spec is immutable: a new backup is a new object. */
@Group(EtcdCluster.GROUP)
@Version(EtcdCluster.VERSION)
@Kind("EtcdBackup")
@Plural("etcdbackups")
@Singular("etcdbackup")
@AdditionalPrinterColumn(name = "Cluster", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".spec.clusterRef.name")
@AdditionalPrinterColumn(name = "Complete", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Complete\")].status")
@AdditionalPrinterColumn(name = "Size", type = AdditionalPrinterColumn.Type.INTEGER, jsonPath = ".status.sizeBytes")
@AdditionalPrinterColumn(name = "Revision", type = AdditionalPrinterColumn.Type.INTEGER, jsonPath = ".status.revision")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE, jsonPath = ".metadata.creationTimestamp")
@AdditionalPrinterColumn(name = "Location", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.location",
    priority = 1)
@AdditionalPrinterColumn(name = "Reason", type = AdditionalPrinterColumn.Type.STRING, priority = 1,
    jsonPath = ".status.conditions[?(@.status==\"True\")].reason")
public class EtcdBackup extends CustomResource<EtcdBackupSpec, EtcdBackupStatus> implements Namespaced {
  /**
   * Set (to why) by the operator on an EtcdBackup it deletes on purpose together with its snapshot (a schedule's
   * retention), whatever its deletionPolicy: only such a deliberate deletion, or deletionPolicy Delete, removes data.
   */
  public static final String DELETE_SNAPSHOT_ANNOTATION = EtcdCluster.GROUP + "/delete-snapshot";

  /**
   * No spec in a new instance: JOSDK adds its finalizer by server-side apply of a new instance holding only
   * metadata, and a default spec in it (deletionPolicy: Retain) would overwrite the user's.
   */
  @Override
  protected EtcdBackupSpec initSpec() {
    return null;
  }

  @Override
  protected EtcdBackupStatus initStatus() {
    return null;
  }
}
