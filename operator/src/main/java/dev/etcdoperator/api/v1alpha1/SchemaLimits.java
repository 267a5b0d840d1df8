package dev.etcdoperator.api.v1alpha1;

/**
 * Size bounds of the CRD schemas. A real API server estimates the cost of every CEL rule from the largest value the
 * schema allows, so every list, map and string under a rule needs a bound or the CRD is refused. The limits follow
 * what Kubernetes or S3 already enforce on the same values where there is such a limit, and are otherwise far above
 * any real use; docs/api-reference.md lists them per field.
 */
public final class SchemaLimits {
  private SchemaLimits() {}

  /** Names of Secrets, EtcdBackups, service accounts, storage and priority classes (DNS subdomain). */
  public static final int OBJECT_NAME = 253;
  /** Label values, namespaces and other DNS labels. */
  public static final int LABEL_VALUE = 63;
  /** Label, annotation and topology keys: a DNS-subdomain prefix, a slash and a 63-character name. */
  public static final int QUALIFIED_NAME = 317;
  /** Annotation values; Kubernetes caps all annotations of an object together at 256 KiB. */
  public static final int ANNOTATION_VALUE = 4096;
  /** Entries of label, annotation and node-selector maps. */
  public static final int MAP_ENTRIES = 64;

  public static final int IMAGE = 1024;
  public static final int VERSION = 32;
  /** Resource quantities such as 8Gi. */
  public static final int QUANTITY = 64;
  /** Short keyword fields (operators, effects, policies, media). */
  public static final int KEYWORD = 32;
  public static final int CRON_SCHEDULE = 128;

  /** spec.etcd.extraArgs: flags and the length of each value. */
  public static final int EXTRA_ARGS = 64;
  public static final int FLAG_VALUE = 4096;

  public static final int CLIENT_CERTIFICATES = 64;
  /** The client-certificate name pattern allows 50 characters; the Secret name adds the cluster's. */
  public static final int CLIENT_CERTIFICATE_NAME = 50;

  public static final int BUCKET_NAME = 63;
  public static final int REGION = 64;
  public static final int URL = 2048;
  /** S3 keys are at most 1024 bytes; a prefix leaves room for namespace, cluster and file name. */
  public static final int OBJECT_KEY = 1024;
  public static final int KEY_PREFIX = 512;
  public static final int KMS_KEY_ID = 2048;
  public static final int SHA256_HEX = 64;

  /** Lists inside the Kubernetes scheduling types of spec.podTemplate (terms, expressions, tolerations, ...). */
  public static final int SCHEDULING_LIST = 32;
  /** Values of one label-selector or node-selector expression. */
  public static final int SELECTOR_VALUES = 64;
  public static final int TOLERATIONS = 64;
  public static final int TOPOLOGY_SPREAD_CONSTRAINTS = 16;
  /** Resource names in requests and limits, and dynamic resource claims. */
  public static final int RESOURCE_ENTRIES = 16;
}
