package dev.etcdoperator.e2e;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A container's environment as the kubelet computes it ({@code value} with {@code $(VAR)} expansion over the
 * variables defined before it, {@code fieldRef} for metadata.name, metadata.namespace, metadata.uid, status.podIP,
 * spec.nodeName and labels/annotations, {@code configMapKeyRef} and {@code secretKeyRef}), and Kubernetes'
 * {@code $(VAR)} expansion of command and args: {@code $(NAME)} becomes the variable's value when defined and stays
 * as written otherwise, {@code $$} is an escaped {@code $}.
 */
final class ContainerEnv {

  /** A reference the kubelet cannot resolve yet (a missing ConfigMap or key): the pod waits and retries. */
  static final class NotReady extends Exception {
    NotReady(String message) {
      super(message);
    }
  }

  private ContainerEnv() {}

  static Map<String, String> resolve(KubernetesClient client, Pod pod, Container container, String podIp)
      throws NotReady {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : Optional.ofNullable(container.getEnv()).orElse(List.of())) {
      String value;
      if (var.getValueFrom() == null) {
        value = expand(Optional.ofNullable(var.getValue()).orElse(""), env);
      } else {
        value = fromSource(client, pod, var.getName(), var.getValueFrom(), podIp);
        if (value == null) {
          continue; // optional reference that is absent: the variable is not set
        }
      }
      env.put(var.getName(), value);
    }
    return env;
  }

  private static String fromSource(KubernetesClient client, Pod pod, String name, EnvVarSource source,
      String podIp) throws NotReady {
    String ns = pod.getMetadata().getNamespace();
    if (source.getFieldRef() != null) {
      String path = source.getFieldRef().getFieldPath();
      return switch (path) {
        case "metadata.name" -> pod.getMetadata().getName();
        case "metadata.namespace" -> ns;
        case "metadata.uid" -> pod.getMetadata().getUid();
        case "status.podIP" -> podIp;
        case "spec.nodeName" -> Optional.ofNullable(pod.getSpec().getNodeName()).orElse("local");
        default -> fromMetadataMap(pod, path, name);
      };
    }
    if (source.getConfigMapKeyRef() != null) {
      var ref = source.getConfigMapKeyRef();
      ConfigMap cm = client.configMaps().inNamespace(ns).withName(ref.getName()).get();
      String value = cm == null || cm.getData() == null ? null : cm.getData().get(ref.getKey());
      return required(value, Boolean.TRUE.equals(ref.getOptional()),
          "configmap " + ref.getName() + " key " + ref.getKey() + " (env " + name + ")");
    }
    if (source.getSecretKeyRef() != null) {
      var ref = source.getSecretKeyRef();
      Secret secret = client.secrets().inNamespace(ns).withName(ref.getName()).get();
      String value = secret == null ? null : secretValue(secret, ref.getKey());
      return required(value, Boolean.TRUE.equals(ref.getOptional()),
          "secret " + ref.getName() + " key " + ref.getKey() + " (env " + name + ")");
    }
    throw new IllegalArgumentException("env " + name + ": unsupported valueFrom " + source);
  }

  private static String fromMetadataMap(Pod pod, String path, String name) {
    // metadata.labels['key'] / metadata.annotations['key']
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("metadata\\.(labels|annotations)\\['(.*)'\\]")
        .matcher(path);
    if (!m.matches()) {
      throw new IllegalArgumentException("env " + name + ": unsupported fieldRef " + path);
    }
    Map<String, String> map = m.group(1).equals("labels") ? pod.getMetadata().getLabels()
        : pod.getMetadata().getAnnotations();
    return map == null ? "" : map.getOrDefault(m.group(2), "");
  }

  private static String required(String value, boolean optional, String what) throws NotReady {
    if (value == null && !optional) {
      throw new NotReady(what + " not found");
    }
    return value;
  }

  static String secretValue(Secret secret, String key) {
    if (secret.getData() != null && secret.getData().containsKey(key)) {
      return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
    return secret.getStringData() == null ? null : secret.getStringData().get(key);
  }

  /** Kubernetes' expansion (k8s.io/kubernetes third_party/forked/golang/expansion): $(VAR), $$ escapes. */
  static String expand(String input, Map<String, String> env) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < input.length()) {
      char c = input.charAt(i);
      if (c == '$' && i + 1 < input.length()) {
        char n = input.charAt(i + 1);
        if (n == '$') {
          out.append('$');
          i += 2;
          continue;
        }
        if (n == '(') {
          int close = input.indexOf(')', i + 2);
          if (close > 0) {
            String var = input.substring(i + 2, close);
            if (env.containsKey(var)) {
              out.append(env.get(var));
            } else {
              out.append(input, i, close + 1);
            }
            i = close + 1;
            continue;
          }
        }
      }
      out.append(c);
      i++;
    }
    return out.toString();
  }

  static List<String> expandAll(List<String> items, Map<String, String> env) {
    List<String> out = new ArrayList<>();
    for (String item : Optional.ofNullable(items).orElse(List.of())) {
      out.add(expand(item, env));
    }
    return out;
  }
}
