package dev.etcdoperator.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Hands out loopback address blocks {@code 127.a.b.0/24}, one per cluster: member {@code k} gets
 * {@code 127.a.b.(10+k)}. Blocks are taken round-robin from a random start, so several clusters in one JVM (or in
 * several JVMs) rarely meet; a block is only handed out if its addresses can bind the wanted ports right now.
 */
final class LoopbackBlocks {
  /** Blocks 127.a.b.0/24 with a in 1..254 (127.0.x is left to whatever else runs on the machine). */
  private static final int BLOCKS = 254 * 256;
  private static final int TRIES = 64;
  private static final AtomicInteger NEXT_BLOCK = new AtomicInteger(new SecureRandom().nextInt(BLOCKS));

  private LoopbackBlocks() {
  }

  /** The addresses of {@code size} members in a fresh block where each address can bind every one of {@code ports}. */
  static List<String> allocate(int size, int... ports) {
    for (int tries = 0; tries < TRIES; tries++) {
      int block = Math.floorMod(NEXT_BLOCK.getAndIncrement(), BLOCKS);
      String prefix = "127." + (1 + block / 256) + "." + (block % 256) + ".";
      List<String> hosts = IntStream.range(0, size).mapToObj(k -> prefix + (10 + k)).toList();
      if (hosts.stream().allMatch(host -> bindable(host, ports))) {
        return hosts;
      }
    }
    throw new IllegalStateException("no free 127.x.y.0/24 block with bindable ports "
        + IntStream.of(ports).min().orElse(0) + "-" + IntStream.of(ports).max().orElse(0)
        + " after " + TRIES + " tries");
  }

  private static boolean bindable(String host, int... ports) {
    for (int port : ports) {
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
