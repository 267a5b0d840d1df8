package dev.etcdoperator;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a JVM of its own by {@link PodAddressCachingTest} (the settings are read once per JVM): looks up a name
 * its hosts file lacks, adds the name, looks it up again at once, and writes what the second lookup found to its
 * answer file (not to its output, which the JVM shares with its own warnings).
 *
 * <p>Arguments: the hosts file, the answer file, and {@code apply} to apply the operator's setting first.
 */
public final class PodAddressCachingProbe {
  static final String NAME = "member-0.members.ns.svc.cluster.local";
  static final String ADDRESS = "127.42.0.10";

  private PodAddressCachingProbe() {}

  public static void main(String[] args) throws Exception {
    Path hosts = Path.of(args[0]);
    Path answer = Path.of(args[1]);
    if (args.length > 2 && args[2].equals("apply")) {
      PodAddressCaching.apply();
    }
    try {
      InetAddress.getByName(NAME);
      Files.writeString(answer, "unexpected: resolved before it was published");
      return;
    } catch (UnknownHostException expected) {
      // the pod has no address yet
    }
    Files.writeString(hosts, ADDRESS + " " + NAME + "\n");
    try {
      Files.writeString(answer, "resolved " + InetAddress.getByName(NAME).getHostAddress());
    } catch (UnknownHostException e) {
      Files.writeString(answer, "unresolved");
    }
  }
}
