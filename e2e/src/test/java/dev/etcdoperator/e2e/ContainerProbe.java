package dev.etcdoperator.e2e;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One probe of one container run as the kubelet runs it: first after {@code initialDelaySeconds}, then every
 * {@code periodSeconds}; {@code failureThreshold} consecutive failures flip the result to failed and
 * {@code successThreshold} consecutive successes back. HTTP GET and TCP socket checks; exec probes are not supported
 * (the operator does not use them) and fail loudly.
 *
 * <p>Deviation: each check gives up after at most one second whatever {@code timeoutSeconds} says, so a paused
 * member cannot hold the kubelet stand-in's single loop for long.
 */
final class ContainerProbe {
  private static final Duration MAX_CHECK_TIME = Duration.ofSeconds(1);

  private final Probe probe;
  private final Container container;
  private final String address;
  private final HttpClient http;
  private final Duration period;
  private Instant nextCheck;
  private int failures;
  private int successes;
  private boolean passing;
  private boolean everPassed;

  /**
   * @param maxPeriod the longest interval between checks (the readiness probe runs more often than its
   *     {@code periodSeconds} to keep scenarios quick; liveness and startup keep theirs)
   */
  ContainerProbe(Probe probe, Container container, String address, HttpClient http, Instant started,
      Duration maxPeriod) {
    if (probe.getExec() != null || probe.getGrpc() != null) {
      throw new IllegalArgumentException("container " + container.getName() + ": the kubelet stand-in runs HTTP GET "
          + "and TCP socket probes only");
    }
    this.probe = probe;
    this.container = container;
    this.address = address;
    this.http = http;
    Duration declared = Duration.ofSeconds(Optional.ofNullable(probe.getPeriodSeconds()).orElse(10));
    this.period = declared.compareTo(maxPeriod) > 0 ? maxPeriod : declared;
    this.nextCheck = started.plusSeconds(Optional.ofNullable(probe.getInitialDelaySeconds()).orElse(0));
  }

  /** Checks when due; returns whether the probe currently passes (it starts failed, as readiness does). */
  boolean poll(Instant now) {
    if (now.isBefore(nextCheck)) {
      return passing;
    }
    nextCheck = now.plus(period);
    if (check()) {
      failures = 0;
      if (++successes >= Optional.ofNullable(probe.getSuccessThreshold()).orElse(1)) {
        passing = true;
        everPassed = true;
      }
    } else {
      successes = 0;
      if (++failures >= Optional.ofNullable(probe.getFailureThreshold()).orElse(3)) {
        passing = false;
      }
    }
    return passing;
  }

  /** Whether the probe has failed {@code failureThreshold} times in a row (liveness and startup: kill it). */
  boolean failedForGood() {
    return failures >= Optional.ofNullable(probe.getFailureThreshold()).orElse(3);
  }

  boolean everPassed() {
    return everPassed;
  }

  private boolean check() {
    if (probe.getTcpSocket() != null) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(address, port(probe.getTcpSocket().getPort())),
            (int) MAX_CHECK_TIME.toMillis());
        return true;
      } catch (IOException e) {
        return false;
      }
    }
    var get = probe.getHttpGet();
    String scheme = Optional.ofNullable(get.getScheme()).orElse("HTTP").toLowerCase();
    URI uri = URI.create(scheme + "://" + address + ":" + port(get.getPort())
        + Optional.ofNullable(get.getPath()).orElse("/"));
    try {
      int code = http.send(HttpRequest.newBuilder(uri).timeout(MAX_CHECK_TIME).GET().build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
      return code >= 200 && code < 400;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private int port(IntOrString port) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return container.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName())).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("container " + container.getName() + " has no port named "
            + port.getStrVal()))
        .getContainerPort();
  }
}
