package dev.etcdoperator.e2e;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A pod's volumes as directories on this machine, and the container's mount table (mount path to directory).
 *
 * <ul>
 *   <li>secret / configMap: files written under {@code <podDir>/volumes/<volume>} (items and defaultMode honoured);
 *   <li>emptyDir: {@code <podDir>/volumes/<volume>}, gone with the pod directory;
 *   <li>persistentVolumeClaim: {@link #claimDir} {@code <base>/pvcs/<ns>/<claim>/<uid>}, which outlives the pod and
 *       is removed only with the claim ({@link ClaimController}). Keyed by UID as a real claim is bound to a volume of
 *       its own: a claim made anew under an old one's name never sees, nor loses, the other's data.
 * </ul>
 *
 * The process does not run in a container, so nothing is mounted at the container's paths: {@link MountTable}
 * rewrites absolute paths under a mount point in command and args (e.g. {@code /etc/etcd/tls/server/tls.crt},
 * {@code /var/lib/etcd/data}) to the corresponding directory.
 */
final class PodVolumes {
  private final Path claimsDir;

  PodVolumes(Path claimsDir) {
    this.claimsDir = claimsDir;
  }

  Path claimDir(String namespace, String claim, String uid) {
    return claimsDir.resolve(namespace).resolve(claim).resolve(uid);
  }

  /** Whether the data of any claim of that name, this one or an earlier one, is still here. */
  boolean anyClaimData(String namespace, String claim) {
    Path dir = claimsDir.resolve(namespace).resolve(claim);
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (var entries = Files.list(dir)) {
      return entries.findAny().isPresent();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes the volumes the container mounts and returns its mount table. */
  MountTable prepare(KubernetesClient client, Pod pod, Container container, Path podDir)
      throws ContainerEnv.NotReady {
    String ns = pod.getMetadata().getNamespace();
    Map<String, Path> byVolume = new LinkedHashMap<>();
    for (Volume volume : Optional.ofNullable(pod.getSpec().getVolumes()).orElse(List.of())) {
      Path dir = podDir.resolve("volumes").resolve(volume.getName());
      if (volume.getSecret() != null) {
        Secret secret = client.secrets().inNamespace(ns).withName(volume.getSecret().getSecretName()).get();
        if (secret == null) {
          throw new ContainerEnv.NotReady("secret " + volume.getSecret().getSecretName() + " not found");
        }
        Map<String, byte[]> data = new TreeMap<>();
        Optional.ofNullable(secret.getData()).orElse(Map.of())
            .forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
        Optional.ofNullable(secret.getStringData()).orElse(Map.of())
            .forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
        writeFiles(dir, data, volume.getSecret().getItems(), volume.getSecret().getDefaultMode());
      } else if (volume.getConfigMap() != null) {
        ConfigMap cm = client.configMaps().inNamespace(ns).withName(volume.getConfigMap().getName()).get();
        if (cm == null) {
          throw new ContainerEnv.NotReady("configmap " + volume.getConfigMap().getName() + " not found");
        }
        Map<String, byte[]> data = new TreeMap<>();
        Optional.ofNullable(cm.getData()).orElse(Map.of())
            .forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
        writeFiles(dir, data, volume.getConfigMap().getItems(), volume.getConfigMap().getDefaultMode());
      } else if (volume.getEmptyDir() != null) {
        createDirectories(dir);
      } else if (volume.getPersistentVolumeClaim() != null) {
        String claim = volume.getPersistentVolumeClaim().getClaimName();
        var live = client.persistentVolumeClaims().inNamespace(ns).withName(claim).get();
        if (live == null) {
          throw new ContainerEnv.NotReady("persistentvolumeclaim " + claim + " not found");
        }
        dir = claimDir(ns, claim, live.getMetadata().getUid());
        createDirectories(dir);
      } else {
        throw new IllegalArgumentException("volume " + volume.getName() + ": unsupported type");
      }
      byVolume.put(volume.getName(), dir);
    }
    Map<String, Path> mounts = new TreeMap<>();
    for (VolumeMount mount : Optional.ofNullable(container.getVolumeMounts()).orElse(List.of())) {
      Path dir = byVolume.get(mount.getName());
      if (dir == null) {
        throw new IllegalArgumentException("mount " + mount.getMountPath() + ": no volume " + mount.getName());
      }
      if (mount.getSubPath() != null && !mount.getSubPath().isBlank()) {
        dir = dir.resolve(mount.getSubPath());
        createDirectories(dir);
      }
      mounts.put(mount.getMountPath(), dir.toAbsolutePath());
    }
    return new MountTable(mounts);
  }

  private static void writeFiles(Path dir, Map<String, byte[]> data, List<KeyToPath> items, Integer defaultMode) {
    createDirectories(dir);
    Map<String, String> paths = new TreeMap<>();
    Map<String, Integer> modes = new TreeMap<>();
    if (items == null || items.isEmpty()) {
      data.keySet().forEach(k -> paths.put(k, k));
    } else {
      items.forEach(i -> {
        paths.put(i.getKey(), i.getPath());
        if (i.getMode() != null) {
          modes.put(i.getKey(), i.getMode());
        }
      });
    }
    int mode = defaultMode == null ? 0644 : defaultMode;
    paths.forEach((key, path) -> {
      byte[] bytes = data.get(key);
      if (bytes == null) {
        return;
      }
      Path file = dir.resolve(path);
      try {
        createDirectories(file.getParent());
        Files.write(file, bytes);
        Files.setPosixFilePermissions(file, permissions(modes.getOrDefault(key, mode)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file, e);
      }
    });
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = java.util.EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
        PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_READ};
    for (int bit = 0; bit < order.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        set.add(order[bit]);
      }
    }
    return set;
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }

  /** Container mount path to directory on this machine; longest mount path wins. */
  record MountTable(Map<String, Path> mounts) {

    /** Rewrites every absolute path in {@code text} that lies under a mount point (at a path boundary). */
    String rewrite(String text) {
      List<Map.Entry<String, Path>> longestFirst = mounts.entrySet().stream()
          .sorted(Comparator.comparingInt((Map.Entry<String, Path> e) -> e.getKey().length()).reversed()).toList();
      StringBuilder out = new StringBuilder();
      int i = 0;
      outer:
      while (i < text.length()) {
        boolean atStart = i == 0 || "=,: ".indexOf(text.charAt(i - 1)) >= 0;
        if (atStart && text.charAt(i) == '/') {
          for (Map.Entry<String, Path> mount : longestFirst) {
            String mp = mount.getKey().endsWith("/") ? mount.getKey().substring(0, mount.getKey().length() - 1)
                : mount.getKey();
            int end = i + mp.length();
            if (text.startsWith(mp, i) && (end == text.length() || "/,: ".indexOf(text.charAt(end)) >= 0)) {
              out.append(mount.getValue());
              i = end;
              continue outer;
            }
          }
        }
        out.append(text.charAt(i));
        i++;
      }
      return out.toString();
    }
  }
}
