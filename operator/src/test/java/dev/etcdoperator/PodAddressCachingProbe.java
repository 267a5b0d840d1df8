package dev.etcdoperator;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a JVM of its own by {@link PodAddressCachingTest} (the settings are read once per JVM): looks up a name
 * its hosts file lacks, adds the name, looks it up again at once, and prints what the second lookup found.
 */
public final class PodAddressCachingProbe {
  static final String NAME = "member-0.members.ns.svc.cluster.local";
  static final String ADDRESS = "127.42.0.10";

  private PodAddressCachingProbe() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 1 && args[1].equals("apply")) {
      PodAddressCaching.apply();
    }
    Path hosts = Path.of(args[0]);
    try {
      InetAddress.getByName(NAME);
      System.out.println("unexpected: resolved before it was published");
      return;
    } catch (UnknownHostException expected) {
      // the pod has no address yet
    }
    Files.writeString(hosts, ADDRESS + " " + NAME + "\n");
    try {
      System.out.println("resolved " + InetAddress.getByName(NAME).getHostAddress());
    } catch (UnknownHostException e) {
      System.out.println("unresolved");
    }
  }
}
