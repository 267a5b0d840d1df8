package dev.etcdoperator.cluster.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.etcdoperator.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CertificateReadingsTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-04T12:00:00Z"));
  private final CertificateReadings readings = new CertificateReadings(clock);
  private final AtomicInteger reads = new AtomicInteger();

  private String read(String kind, String... texts) {
    return readings.read(kind, Arrays.asList(texts), () -> "read " + reads.incrementAndGet());
  }

  @Test
  void theSameTextIsReadOnceAndAnyChangeIsReadAgain() {
    assertThat(read("ca", "cert", "key")).isEqualTo("read 1");
    assertThat(read("ca", "cert", "key")).isEqualTo("read 1");

    assertThat(read("ca", "cert", "other key")).isEqualTo("read 2");
    assertThat(read("leaf", "cert", "key")).as("another kind of reading").isEqualTo("read 3");
    assertThat(read("ca", "cert", null)).as("a text gone").isEqualTo("read 4");
    assertThat(read("ca", "certk", "ey")).as("the same characters split otherwise").isEqualTo("read 5");
  }

  @Test
  void aRememberedReadingIsNotReadAgain() {
    readings.remember("leaf", List.of("ca", "just issued"), "known");

    assertThat(read("leaf", "ca", "just issued")).isEqualTo("known");
    assertThat(read("leaf", "ca", "issued elsewhere")).isEqualTo("read 1");
    assertThat(reads).hasValue(1);
  }

  @Test
  void aFailedReadingIsTriedAgain() {
    assertThatThrownBy(() -> readings.read("ca", List.of("bad"), () -> {
      throw new IllegalArgumentException("unreadable");
    })).hasMessage("unreadable");

    assertThat(read("ca", "bad")).isEqualTo("read 1");
  }

  /** A deleted cluster's readings do not stay for the life of the process. */
  @Test
  void aReadingUnusedForTheIdleLimitGoes() {
    read("ca", "deleted cluster");
    read("ca", "live cluster");
    clock.advance(CertificateReadings.IDLE_LIMIT.minusSeconds(1));
    read("ca", "live cluster");
    clock.advance(Duration.ofSeconds(2));

    read("ca", "live cluster");
    assertThat(reads.get()).as("used within the limit, so kept").isEqualTo(2);
    assertThat(readings.size()).isEqualTo(1);
    read("ca", "deleted cluster");
    assertThat(reads.get()).as("read again after it went").isEqualTo(3);
  }

  @Test
  void theLeastRecentlyUsedGoFirstBeyondTheCapacity() {
    List<String> texts = new ArrayList<>();
    IntStream.range(0, CertificateReadings.CAPACITY).forEach(i -> texts.add("text " + i));
    texts.forEach(t -> read("leaf", t));
    read("leaf", "text 0");

    read("leaf", "one more");

    assertThat(readings.size()).isEqualTo(CertificateReadings.CAPACITY);
    int before = reads.get();
    read("leaf", "text 0");
    assertThat(reads.get()).as("text 0 was used last, so kept").isEqualTo(before);
    read("leaf", "text 1");
    assertThat(reads.get()).as("text 1 was the least recently used, so gone").isEqualTo(before + 1);
  }
}
