package dev.etcdoperator.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stand-in's cluster DNS: one hosts file with every pod's names under its headless Service
 * ({@code <pod>.<service>.<ns>.svc} and the same with {@code .<clusterDomain>}) and every client Service name
 * ({@code <service>.<ns>.svc[.<clusterDomain>]}) pointing at its ready pods' addresses.
 *
 * <p>Two readers: the test JVM (with {@code -Djdk.net.hosts.file=<this file>}, so the operator's jetcd reaches members
 * by the DNS names their certificates carry), and every etcd process, which sees this file bind-mounted as its own
 * {@code /etc/hosts} in a private mount namespace. Because of the bind mount the file is always rewritten in place
 * (same inode), never replaced by a rename; it is only rewritten when its content changes.
 *
 * <p>Both readers read it in chunks on every lookup, while it is being rewritten. A rewrite that truncated the file and
 * wrote it anew let a lookup in between find nothing, and one that moved lines let a reader's next chunk skip some: the
 * operator then failed to resolve a member that had been there all along, and waited 10 s to ask etcd again. So no
 * line ever moves: a line that goes is blanked out as a comment of the same length, and new lines go at the end.
 */
final class ClusterDns {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterDns.class);
  private final Path file;
  private final String clusterDomain;
  /** Pod key (ns/name) to its address and DNS names. */
  private final Map<String, List<String>> podNames = new TreeMap<>();
  private final Map<String, String> podAddresses = new TreeMap<>();
  /** Service DNS base name (service.ns.svc) to the addresses behind it. */
  private final Map<String, Set<String>> services = new TreeMap<>();
  /** The lines as written, each with its newline, in the file's order; blanked ones included. */
  private final List<String> lines = new ArrayList<>();

  ClusterDns(Path file, String clusterDomain) {
    this.file = file;
    this.clusterDomain = clusterDomain;
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, "", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    flush();
  }

  Path file() {
    return file;
  }

  /** The pod's FQDN under its headless Service: {@code <pod>.<subdomain>.<ns>.svc}. */
  static String podHost(String pod, String subdomain, String namespace) {
    return pod + "." + subdomain + "." + namespace + ".svc";
  }

  synchronized void putPod(String namespace, String pod, String subdomain, String address) {
    String key = namespace + "/" + pod;
    List<String> names = new ArrayList<>();
    if (subdomain != null && !subdomain.isBlank()) {
      String host = podHost(pod, subdomain, namespace);
      names.add(host);
      names.add(host + "." + clusterDomain);
    }
    podNames.put(key, names);
    podAddresses.put(key, address);
    flush();
  }

  synchronized void removePod(String namespace, String pod) {
    podNames.remove(namespace + "/" + pod);
    podAddresses.remove(namespace + "/" + pod);
    flush();
  }

  /** The addresses behind a Service (its ready endpoints); an empty set removes the name. */
  synchronized void putService(String namespace, String service, Set<String> addresses) {
    String name = service + "." + namespace + ".svc";
    if (!new TreeSet<>(addresses).equals(services.getOrDefault(name, Set.of()))) {
      LOG.info("dns: {} -> {}", name, new TreeSet<>(addresses));
    }
    if (addresses.isEmpty()) {
      services.remove(name);
    } else {
      services.put(name, new TreeSet<>(addresses));
    }
    flush();
  }

  private void flush() {
    Set<String> wanted = new LinkedHashSet<>(List.of("# written by the e2e stand-in (ClusterDns)\n",
        "127.0.0.1 localhost\n"));
    podNames.forEach((key, names) -> {
      if (!names.isEmpty()) {
        wanted.add(podAddresses.get(key) + " " + String.join(" ", names) + "\n");
      }
    });
    services.forEach((name, addresses) -> addresses.forEach(a ->
        wanted.add(a + " " + name + " " + name + "." + clusterDomain + "\n")));
    boolean changed = false;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (!wanted.remove(line) && !line.startsWith("#")) {
        lines.set(i, "#" + " ".repeat(line.length() - 2) + "\n");
        changed = true;
      }
    }
    changed |= lines.addAll(wanted);
    if (!changed) {
      return;
    }
    ByteBuffer content = ByteBuffer.wrap(String.join("", lines).getBytes(StandardCharsets.UTF_8));
    // In place (etcd processes have this very inode bind-mounted on /etc/hosts), over the same bytes: no truncation.
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      while (content.hasRemaining()) {
        channel.write(content, content.position());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
