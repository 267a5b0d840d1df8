package dev.etcdoperator.cluster.tls;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What reading certificate Secrets found, kept by the exact text read. Every reconcile of every cluster reads its CA
 * and leaf certificates; parsing the PEMs, verifying each leaf's signature and proving the CA's key pair (an ECDSA
 * sign and verify) took 10-17 ms of CPU per reconcile of one cluster (measured in a test JVM), and the reconcile
 * threads were mostly there in thread dumps of ten clusters bootstrapping under load. The same text always reads the
 * same, so only a changed Secret is read again. Kept by a SHA-256 of the text (no key material as map keys); a
 * reading unused for {@link #IDLE_LIMIT} goes (a deleted cluster's, a replaced certificate's), and beyond
 * {@link #CAPACITY} the least recently used goes first. Failures are not kept.
 */
final class CertificateReadings {
  static final int CAPACITY = 4096;
  static final Duration IDLE_LIMIT = Duration.ofMinutes(10);

  private record Kept(Object reading, Instant lastUsed) {}

  private final Clock clock;
  private final LinkedHashMap<String, Kept> readings = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Kept> eldest) {
      return size() > CAPACITY;
    }
  };

  CertificateReadings(Clock clock) {
    this.clock = clock;
  }

  /** @param kind what is read (one text may be read in several ways); {@code texts} may contain nulls */
  @SuppressWarnings("unchecked")
  <T> T read(String kind, List<String> texts, Supplier<T> reading) {
    String key = digest(kind, texts);
    Instant now = clock.instant();
    synchronized (readings) {
      dropIdle(now);
      Kept kept = readings.get(key);
      if (kept != null) {
        readings.put(key, new Kept(kept.reading(), now));
        return (T) kept.reading();
      }
    }
    T read = reading.get();
    keep(key, read, now);
    return read;
  }

  /** Keeps what reading {@code texts} would find, known without reading them (a certificate just issued). */
  void remember(String kind, List<String> texts, Object reading) {
    keep(digest(kind, texts), reading, clock.instant());
  }

  private void keep(String key, Object reading, Instant now) {
    synchronized (readings) {
      readings.put(key, new Kept(reading, now));
    }
  }

  int size() {
    synchronized (readings) {
      return readings.size();
    }
  }

  /** Access order puts the longest unused first. */
  private void dropIdle(Instant now) {
    Instant cutoff = now.minus(IDLE_LIMIT);
    Iterator<Kept> oldestFirst = readings.values().iterator();
    while (oldestFirst.hasNext() && oldestFirst.next().lastUsed().isBefore(cutoff)) {
      oldestFirst.remove();
    }
  }

  private static String digest(String kind, List<String> texts) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update(kind.getBytes(StandardCharsets.UTF_8));
      for (String text : texts) {
        // Each text after its length (-1: missing), so that no two different lists digest alike.
        byte[] bytes = text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
        sha256.update(((text == null ? -1 : bytes.length) + ":").getBytes(StandardCharsets.UTF_8));
        sha256.update(bytes);
      }
      return HexFormat.of().formatHex(sha256.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
