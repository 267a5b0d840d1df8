package dev.etcdoperator;

import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Routes java.util.logging, which gRPC and parts of the JDK log through, into SLF4J: the operator's log then has one
 * line format, and {@code simplelogger.properties} sets the levels of every library in one place.
 */
final class JavaLoggingBridge {
  private JavaLoggingBridge() {}

  static void install() {
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
  }
}
