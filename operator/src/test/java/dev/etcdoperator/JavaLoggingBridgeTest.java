package dev.etcdoperator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** What gRPC logs through java.util.logging reaches the operator's log in its own format, at its own levels. */
class JavaLoggingBridgeTest {
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream originalErr;
  private List<Handler> originalHandlers;

  @BeforeEach
  void captureStandardError() {
    // SLF4J reports its providers to standard error when it first starts: before the capture.
    LoggerFactory.getILoggerFactory();
    originalHandlers = List.of(LogManager.getLogManager().getLogger("").getHandlers());
    originalErr = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setErr(originalErr);
    SLF4JBridgeHandler.uninstall();
    Logger root = LogManager.getLogManager().getLogger("");
    List.of(root.getHandlers()).forEach(root::removeHandler);
    originalHandlers.forEach(root::addHandler);
  }

  @Test
  void grpcWarningsOfNamesNotResolvedYetAreLeftOutAndItsErrorsShowInTheOperatorsFormat() {
    JavaLoggingBridge.install();
    JavaLoggingBridge.install();

    Logger.getLogger("io.grpc.internal.ManagedChannelImpl").log(Level.WARNING,
        "[Channel<1>: (main-1.main.ns.svc:2379)] Failed to resolve name. status=UNAVAILABLE");
    Logger.getLogger("io.grpc.internal.ManagedChannelOrphanWrapper").log(Level.SEVERE,
        "*~*~*~ Previous channel ManagedChannelImpl{logId=7} was garbage collected without being shut down!");
    Logger.getLogger("io.grpc.netty.NettyClientHandler").log(Level.INFO, "an INFO line gRPC writes");

    List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).as("what reached standard error").hasSize(1);
    assertThat(lines.get(0)).matches("\\d{4}-\\d\\d-\\d\\dT\\S+ ERROR ManagedChannelOrphanWrapper - \\*~\\*~\\*~ "
        + "Previous channel .* was garbage collected without being shut down!");
  }
}
