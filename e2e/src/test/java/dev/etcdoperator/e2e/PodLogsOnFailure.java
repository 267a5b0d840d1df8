package dev.etcdoperator.e2e;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * When a scenario fails, copies every pod's log to {@code target/e2e-failures/<class>.<method>/} and prints the
 * last lines of each to stderr (which surefire keeps in the test's output file). Logs of passing runs stay under
 * {@code target/e2e-work/}.
 */
final class PodLogsOnFailure implements TestWatcher {
  private static final Logger LOG = LoggerFactory.getLogger(PodLogsOnFailure.class);
  private static final int TAIL_LINES = 40;
  private final Supplier<Path> logsDir;

  PodLogsOnFailure(Supplier<Path> logsDir) {
    this.logsDir = logsDir;
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    Path source = logsDir.get();
    if (source == null || !Files.isDirectory(source)) {
      return;
    }
    Path target = Path.of(System.getProperty("e2e.work.dir", "target/e2e-work")).resolveSibling("e2e-failures")
        .resolve(context.getRequiredTestClass().getSimpleName() + "." + context.getDisplayName()
            .replaceAll("[^A-Za-z0-9._-]", "_"));
    try (Stream<Path> logs = Files.list(source)) {
      Files.createDirectories(target);
      for (Path log : logs.sorted().toList()) {
        Files.copy(log, target.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        var lines = Files.readAllLines(log);
        LOG.error("=== {} (last {} lines; full log in {}) ===\n{}", log.getFileName(), TAIL_LINES, target,
            String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size())));
      }
    } catch (IOException e) {
      LOG.warn("could not save pod logs to {}: {}", target, e.toString());
    }
  }
}
