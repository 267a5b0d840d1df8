package dev.etcdoperator.resources;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdClusterSpec;
import dev.etcdoperator.support.EtcdVersion;
import dev.etcdoperator.support.IpFamily;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.Objects;

/**
 * Everything the builders need about one EtcdCluster, resolved once with defaults applied and no nulls, so each
 * builder is a plain function of this value. The reconciler decides the version (it may differ from spec.version
 * during an upgrade); {@code tls} says whether members serve plain HTTP or mutual TLS.
 */
public record ClusterBlueprint(
    ClusterNames names,
    String uid,
    String ownerApiVersion,
    String ownerKind,
    int replicas,
    EtcdVersion version,
    String image,
    MemberStorage storage,
    EtcdSettings etcd,
    PodSettings pod,
    MemberTls tls,
    IpFamily podIpFamily) {

  public static final String DEFAULT_IMAGE_REPOSITORY = "gcr.io/etcd-development/etcd";

  public ClusterBlueprint {
    Objects.requireNonNull(names, "names");
    Objects.requireNonNull(uid, "uid");
    Objects.requireNonNull(ownerApiVersion, "ownerApiVersion");
    Objects.requireNonNull(ownerKind, "ownerKind");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(etcd, "etcd");
    Objects.requireNonNull(pod, "pod");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(podIpFamily, "podIpFamily");
    if (replicas < 1) {
      throw new IllegalArgumentException("replicas must be at least 1, was " + replicas);
    }
    EtcdFlags.removedIn(version, etcd.extraArgs().keySet()).ifPresent(problem -> {
      throw new IllegalArgumentException(problem);
    });
  }

  /**
   * Resolves a cluster. The object must have been stored by the API server (name, namespace and uid set): the uid
   * goes into owner references and the bootstrap token.
   *
   * @param imageRepository used when spec.image is not set; tags are "v" + version, as the official images have
   */
  public static ClusterBlueprint from(EtcdCluster cluster, EtcdVersion version, String imageRepository) {
    ObjectMeta meta = Objects.requireNonNull(cluster.getMetadata(), "metadata");
    EtcdClusterSpec spec = cluster.getSpec() == null ? new EtcdClusterSpec() : cluster.getSpec();
    String image = spec.getImage() != null && !spec.getImage().isBlank()
        ? spec.getImage()
        : Objects.requireNonNull(imageRepository, "imageRepository") + ":v" + version;
    return new ClusterBlueprint(
        new ClusterNames(Objects.requireNonNull(meta.getName(), "metadata.name"),
            Objects.requireNonNull(meta.getNamespace(), "metadata.namespace")),
        Objects.requireNonNull(meta.getUid(), "metadata.uid"),
        HasMetadata.getApiVersion(EtcdCluster.class),
        HasMetadata.getKind(EtcdCluster.class),
        spec.getReplicas() == null ? EtcdClusterSpec.DEFAULT_REPLICAS : spec.getReplicas(),
        version,
        image,
        MemberStorage.from(spec.getStorage()),
        EtcdSettings.from(spec.getEtcd(), spec.getMaintenance()),
        PodSettings.from(spec.getPodTemplate()),
        new MemberTls.Plain(),
        IpFamily.IPV4);
  }

  public ClusterLabels labels() {
    return new ClusterLabels(names.cluster());
  }

  /** "https" when members use TLS, else "http". */
  public String scheme() {
    return tls.scheme();
  }

  public ClusterBlueprint withTls(MemberTls newTls) {
    return new ClusterBlueprint(names, uid, ownerApiVersion, ownerKind, replicas, version, image, storage, etcd, pod,
        newTls, podIpFamily);
  }

  /** Members listen on their pod IP, which needs brackets in a URL on IPv6 clusters. */
  public ClusterBlueprint withPodIpFamily(IpFamily family) {
    return new ClusterBlueprint(names, uid, ownerApiVersion, ownerKind, replicas, version, image, storage, etcd, pod,
        tls, family);
  }
}
