package dev.etcdoperator.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM settings an operator child process runs with ({@link OperatorProcess}): the image's environment
 * ({@code JAVA_TOOL_OPTIONS} and any other {@code ENV} of operator/Dockerfile, e.g. {@code MALLOC_ARENA_MAX}) and the
 * container's memory limit.
 *
 * <p>There is no cgroup control on these machines, so the limit is handed to the JVM as {@code -XX:MaxRAM}: the JVM
 * then sizes its heap ({@code MaxRAMPercentage}), and everything else it derives from the physical memory, exactly as
 * it does from a container limit it reads from the cgroup. Nothing enforces the limit: the resident set is measured,
 * not capped.
 */
record OperatorJvm(String name, Map<String, String> environment, String memoryLimit) {
  /** {@code ENV NAME="value"} or {@code ENV NAME=value}, one pair per line (all that operator/Dockerfile uses). */
  private static final Pattern ENV_LINE = Pattern.compile("^ENV\\s+([A-Z_][A-Z0-9_]*)=(\"([^\"]*)\"|(\\S+))\\s*$");

  private static final Pattern ARCHIVE = Pattern.compile("-XX:SharedArchiveFile=(\\S+)");

  OperatorJvm {
    environment = Map.copyOf(environment);
  }

  /** The image's own settings, read from its Dockerfile so that the benchmark cannot drift from what ships. */
  static OperatorJvm ofImage(Path dockerfile, String memoryLimit) {
    Map<String, String> env = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(dockerfile)) {
        if (line.startsWith("ENV")) {
          Matcher m = ENV_LINE.matcher(line);
          if (!m.matches()) {
            throw new IllegalStateException("cannot read this ENV line of " + dockerfile + " (one NAME=value per "
                + "line): " + line);
          }
          env.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(4));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!env.containsKey("JAVA_TOOL_OPTIONS")) {
      throw new IllegalStateException(dockerfile + " sets no JAVA_TOOL_OPTIONS");
    }
    return new OperatorJvm("image", env, memoryLimit);
  }

  /**
   * The image's settings as the benchmark's system properties name them ({@code operator.dockerfile}), with the
   * image's directory {@code /app/} (the jar and what the build puts beside it) mapped to the directory of
   * {@code operator.jar}.
   */
  static OperatorJvm ofImage() {
    String dockerfile = System.getProperty("operator.dockerfile");
    String jar = System.getProperty("operator.jar");
    if (dockerfile == null || jar == null) {
      throw new IllegalStateException("system properties operator.dockerfile and operator.jar are not set: run "
          + "through e2e/pom.xml");
    }
    OperatorJvm image = ofImage(Path.of(dockerfile), System.getProperty("bench.operator.limit", "512m"));
    String appDir = Path.of(jar).toAbsolutePath().getParent() + "/";
    Map<String, String> env = new LinkedHashMap<>();
    image.environment().forEach((k, v) -> env.put(k, v.replace("/app/", appDir)));
    return new OperatorJvm(image.name(), env, image.memoryLimit());
  }

  /**
   * The class-data archive the JVM writes at exit when it found none ({@code -XX:SharedArchiveFile} with
   * {@code -XX:+AutoCreateSharedArchive}), if these settings ask for one.
   */
  Optional<Path> autoCreatedArchive() {
    if (!javaToolOptions().contains("-XX:+AutoCreateSharedArchive")) {
      return Optional.empty();
    }
    Matcher m = ARCHIVE.matcher(javaToolOptions());
    return m.find() ? Optional.of(Path.of(m.group(1))) : Optional.empty();
  }

  String javaToolOptions() {
    return environment.getOrDefault("JAVA_TOOL_OPTIONS", "");
  }

  /** The same, under another name, with {@code flags} after the image's own (a later JVM flag wins). */
  OperatorJvm withFlags(String otherName, String flags) {
    Map<String, String> env = new LinkedHashMap<>(environment);
    env.put("JAVA_TOOL_OPTIONS", (javaToolOptions() + " " + flags).trim());
    return new OperatorJvm(otherName, env, memoryLimit);
  }

  /** The same, under another name, with one more environment variable. */
  OperatorJvm withEnv(String otherName, String variable, String value) {
    Map<String, String> env = new LinkedHashMap<>(environment);
    env.put(variable, value);
    return new OperatorJvm(otherName, env, memoryLimit);
  }

  /** Whether the settings ask the JVM for Native Memory Tracking (then its summary can be printed). */
  boolean tracksNativeMemory() {
    return javaToolOptions().contains("NativeMemoryTracking");
  }

  /** One line for the tables: the flags beyond what every setting shares, and the extra environment. */
  String describe() {
    StringBuilder text = new StringBuilder(javaToolOptions());
    environment.forEach((k, v) -> {
      if (!k.equals("JAVA_TOOL_OPTIONS")) {
        text.append(' ').append(k).append('=').append(v);
      }
    });
    return text.toString();
  }
}
