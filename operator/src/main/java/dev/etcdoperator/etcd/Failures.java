package dev.etcdoperator.etcd;

import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for jetcd futures with a deadline and turns their failures into one readable line.
 *
 * <p>jetcd reports errors as ExecutionException → jetcd EtcdException → gRPC StatusRuntimeException → Netty
 * exception; the useful facts are the gRPC code, etcd's description and the innermost network error.
 */
final class Failures {

  /** gRPC codes that mean "no usable answer", as opposed to etcd rejecting the request. */
  private static final Set<Status.Code> UNAVAILABLE = EnumSet.of(
      Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED, Status.Code.CANCELLED, Status.Code.ABORTED);

  private Failures() {
  }

  /**
   * Waits for {@code future} until {@code deadlineNanos} (a {@link System#nanoTime()} value).
   *
   * @param what     what was asked, for the message ("member list", "status", ...)
   * @param timeout  the configured request timeout, only for the message
   */
  static <T> T await(CompletableFuture<T> future, long deadlineNanos, String what, List<URI> endpoints,
      Duration timeout) {
    try {
      return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new EtcdUnavailableException(unavailableMessage(what, endpoints, noAnswer(timeout)), endpoints);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new EtcdUnavailableException(unavailableMessage(what, endpoints, "interrupted while waiting"),
          endpoints);
    } catch (ExecutionException | CompletionException | CancellationException e) {
      throw translate(e, what, endpoints, timeout);
    }
  }

  /** The failure of a call as an exception of this package, with a one-line message. */
  static EtcdClientException translate(Throwable failure, String what, List<URI> endpoints, Duration timeout) {
    Throwable t = unwrap(failure);
    Status.Code code = code(t);
    String reason = reason(t, code, timeout);
    if (code == null ? isNetworkProblem(t) : UNAVAILABLE.contains(code)) {
      return new EtcdUnavailableException(unavailableMessage(what, endpoints, reason), endpoints);
    }
    return new EtcdClientException("etcd at " + Endpoints.describe(endpoints) + " rejected " + what + ": " + reason,
        endpoints);
  }

  /** Just the reason, for probe error strings that already say which endpoint they are about. */
  static String reason(Throwable failure, Duration timeout) {
    Throwable t = unwrap(failure);
    return reason(t, code(t), timeout);
  }

  static String noAnswer(Duration timeout) {
    return "no answer within " + human(timeout);
  }

  private static String unavailableMessage(String what, List<URI> endpoints, String reason) {
    return "etcd at " + Endpoints.describe(endpoints) + " did not answer " + what + ": " + reason;
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The gRPC code, from a gRPC exception anywhere in the chain or from jetcd's own mirror of it. */
  private static Status.Code code(Throwable t) {
    if (t instanceof CancellationException) {
      return Status.Code.CANCELLED;
    }
    Status status = Status.fromThrowable(t);
    if (status.getCode() != Status.Code.UNKNOWN || hasGrpcStatus(t)) {
      return status.getCode();
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof EtcdException etcd && etcd.getErrorCode() != null) {
        try {
          return Status.Code.valueOf(etcd.getErrorCode().name());
        } catch (IllegalArgumentException ignored) {
          return null;
        }
      }
    }
    return null;
  }

  private static boolean hasGrpcStatus(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof io.grpc.StatusRuntimeException || c instanceof io.grpc.StatusException) {
        return true;
      }
    }
    return false;
  }

  private static String reason(Throwable t, Status.Code code, Duration timeout) {
    if (code == Status.Code.DEADLINE_EXCEEDED) {
      // gRPC's own text lists internal buffering details; the timeout is what the user configured.
      return noAnswer(timeout);
    }
    Status status = Status.fromThrowable(t);
    String description = status.getDescription() != null ? status.getDescription() : t.getMessage();
    StringBuilder sb = new StringBuilder(code != null ? code.name() : t.getClass().getSimpleName());
    if (description != null && !description.isBlank()) {
      sb.append(": ").append(description);
    }
    Throwable root = root(t);
    boolean rootAddsDetail = root != t && root.getMessage() != null
        && (description == null || !description.contains(root.getMessage()));
    if (rootAddsDetail) {
      sb.append(" (").append(root.getMessage()).append(')');
    }
    return sb.toString();
  }

  private static Throwable root(Throwable t) {
    Throwable r = t;
    while (r.getCause() != null && r.getCause() != r) {
      r = r.getCause();
    }
    return r;
  }

  private static boolean isNetworkProblem(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof IOException || c instanceof TimeoutException) {
        return true;
      }
    }
    return false;
  }

  static String human(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
