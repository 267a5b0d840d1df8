package dev.etcdoperator.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;

/**
 * Pod addresses: one 127.a.b.0/24 block per stand-in (picked at random among blocks whose addresses can bind the
 * etcd ports right now), pod {@code k} of the run gets {@code 127.a.b.(10+k)}. A pod keeps its address across
 * restarts of its process; a new pod object with the same name gets the same address too (like a StatefulSet pod
 * behind stable DNS, which is all etcd relies on).
 */
final class PodAddresses {
  private static final int[] PORTS = {2379, 2380, 2381};
  private static final int MAX_PODS = 240;

  private final String prefix;
  private final Map<String, String> byPod = new HashMap<>();
  private int next;

  PodAddresses() {
    SecureRandom random = new SecureRandom();
    for (int tries = 0; tries < 64; tries++) {
      String candidate = "127." + (1 + random.nextInt(254)) + "." + random.nextInt(256) + ".";
      if (bindable(candidate + "10") && bindable(candidate + "11")) {
        prefix = candidate;
        return;
      }
    }
    throw new IllegalStateException("no free 127.x.y.0/24 block whose addresses bind ports 2379-2381");
  }

  synchronized String addressOf(String namespace, String pod) {
    return byPod.computeIfAbsent(namespace + "/" + pod, k -> {
      if (next >= MAX_PODS) {
        throw new IllegalStateException("more than " + MAX_PODS + " pods in one run");
      }
      return prefix + (10 + next++);
    });
  }

  private static boolean bindable(String host) {
    for (int port : PORTS) {
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }
}
