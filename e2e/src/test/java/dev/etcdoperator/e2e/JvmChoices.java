package dev.etcdoperator.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JVM settings {@link OperatorMemoryBenchmark} compares, each spelled out in full (not relative to the image's,
 * which changes with the choice). Every one keeps what the image needs anyway: the heap from the container limit and
 * a restart on OutOfMemoryError. The collector is always named: the JVM's own choice depends on what it believes the
 * machine is (G1 on two or more CPUs with at least 1792 MB of memory, else Serial), and a simulated limit
 * ({@code -XX:MaxRAM}) does not change that belief, while a real container limit does.
 */
final class JvmChoices {
  /** What every setting shares. */
  static final String BASE = "-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError";
  private static final String ARCHIVE_IN_PLACE = "-XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0";

  private JvmChoices() {}

  /**
   * One setting to measure: {@code training}, when not null, runs once before the measured start (for a class-data
   * archive or an AOT cache that the measured start then maps).
   */
  record Choice(OperatorJvm measured, OperatorJvm training) {
    String name() {
      return measured.name();
    }
  }

  /** Every setting, in the order they are measured; archives and caches go to {@code dir}. */
  static List<Choice> all(String memoryLimit, Path dir) {
    List<Choice> choices = new ArrayList<>();
    OperatorJvm image = OperatorJvm.ofImage();
    choices.add(new Choice(image.withFlags("image", ""), null));
    choices.add(new Choice(image.withFlags("image+nmt", "-XX:NativeMemoryTracking=summary"), null));
    // JDK 20+ maps class-data archives at a random address and patches their pointers at start (JDK-8294323), which
    // dirties their pages; at the address they were written for, the pages stay the file's. (Measured: the resident
    // set did not move, as the operator touches most of the archive anyway.)
    choices.add(new Choice(image.withFlags("image+archive-in-place", ARCHIVE_IN_PLACE), null));
    // A collector that gives memory back when the operator is idle (Serial shrinks the heap only at a full
    // collection, which an idle operator rarely has). Measured: 46 MB more resident with 100 clusters, not less.
    choices.add(new Choice(image.withFlags("image+g1-periodic", "-XX:-UseSerialGC -XX:+UseG1GC "
        + "-XX:G1PeriodicGCInterval=15000"), null));
    // C1 compiles a method after four times the calls it would by default: less code in the code cache. Measured
    // once with 100 clusters: 238 MB resident against 255-261 for the image's, and a third more CPU while idle.
    choices.add(new Choice(image.withFlags("image+compile-later", "-XX:CompileThresholdScaling=4"), null));
    // Hands memory glibc holds free back to the system every 5 s. Measured: within the noise of a single run.
    choices.add(new Choice(image.withFlags("image+trim-native", "-XX:TrimNativeHeapInterval=5000"), null));
    OperatorJvm g1 = jvm("g1", "-XX:+UseG1GC", memoryLimit);
    OperatorJvm serial = jvm("serial", "-XX:+UseSerialGC", memoryLimit);
    choices.add(new Choice(g1, null));
    choices.add(new Choice(g1.withEnv("g1+arena2", "MALLOC_ARENA_MAX", "2"), null));
    choices.add(new Choice(serial, null));
    OperatorJvm serialArena = serial.withEnv("serial+arena2", "MALLOC_ARENA_MAX", "2");
    choices.add(new Choice(serialArena, null));
    choices.add(new Choice(serialArena.withFlags("serial+arena2+small", "-Xss512k -XX:ReservedCodeCacheSize=64m "
        + "-XX:MaxMetaspaceSize=128m"), null));
    choices.add(new Choice(serialArena.withFlags("serial+arena2+c1", "-XX:TieredStopAtLevel=1"), null));
    // Serial gives the old generation back (and the young one follows it) when more than MaxHeapFreeRatio % is free.
    choices.add(new Choice(serialArena.withFlags("serial+arena2+heapfree30", "-XX:MinHeapFreeRatio=10 "
        + "-XX:MaxHeapFreeRatio=30"), null));
    choices.add(new Choice(serialArena.withFlags("serial+arena2+nmt", "-XX:NativeMemoryTracking=summary"), null));
    // Application class-data sharing: a training run against the cluster writes every class it loaded at exit (the
    // upper bound of what an archive can do) ...
    Path archive = dir.resolve("operator.jsa");
    choices.add(new Choice(serialArena.withFlags("serial+arena2+appcds", "-XX:SharedArchiveFile=" + archive),
        serialArena.withFlags("serial+arena2+appcds (training)", "-XX:ArchiveClassesAtExit=" + archive)));
    // ... and as an image build can make one, without a cluster: JDK 19+ writes the archive at the exit of a run that
    // found none, and OperatorProcess makes that run with no API server first, as operator/Dockerfile does.
    choices.add(new Choice(serialArena.withFlags("serial+arena2+appcds-at-build", "-XX:SharedArchiveFile="
        + dir.resolve("operator-built.jsa") + " -XX:+AutoCreateSharedArchive"), null));
    // JDK 24+'s AOT cache (JEP 483/514): classes loaded and linked ahead of time; not on the Java 21 image.
    Path aot = dir.resolve("operator.aot");
    choices.add(new Choice(serialArena.withFlags("serial+arena2+aot", "-XX:AOTCache=" + aot),
        serialArena.withFlags("serial+arena2+aot (training)", "-XX:AOTCacheOutput=" + aot)));
    return choices;
  }

  private static OperatorJvm jvm(String name, String collector, String memoryLimit) {
    return new OperatorJvm(name, Map.of("JAVA_TOOL_OPTIONS", collector + " " + BASE), memoryLimit);
  }
}
