package dev.etcdoperator.support;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Kubernetes Events about our custom resources. A failure to record is logged, never fatal.
 *
 * <p>The same event again (same object, type, reason and message) within {@link #AGGREGATION_WINDOW} raises the
 * count of the Event already written, as kubectl shows it ("x5 over 2m"), instead of writing another object: a
 * condition that persists for an hour then costs one Event, not one per reconcile.
 */
public final class EventRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  public static final String COMPONENT = "etcd-operator";
  static final Duration AGGREGATION_WINDOW = Duration.ofMinutes(10);
  /** Distinct events remembered for aggregation; the oldest is forgotten first (it then starts a new Event). */
  private static final int REMEMBERED = 1024;

  public enum Type { Normal, Warning }

  private record Key(String namespace, String object, Type type, String reason, String message) {}

  /** An Event written: its name, how many times it happened, and since when. */
  private record Written(String name, int count, Instant first) {}

  /**
   * Hears every Event recorded, each occurrence (also the ones aggregated into an Event already written): the
   * operator's metrics count them by reason. Called before the API server is asked, so a refused write still counts.
   */
  @FunctionalInterface
  public interface Listener {
    Listener NONE = (about, type, reason) -> { };

    void recorded(HasMetadata about, Type type, String reason);
  }

  private final KubernetesClient client;
  private final Clock clock;
  private final Listener listener;
  private final Map<Key, Written> written = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, Written> eldest) {
      return size() > REMEMBERED;
    }
  };

  public EventRecorder(KubernetesClient client, Clock clock) {
    this(client, clock, Listener.NONE);
  }

  public EventRecorder(KubernetesClient client, Clock clock, Listener listener) {
    this.client = client;
    this.clock = clock;
    this.listener = listener;
  }

  public void record(HasMetadata about, Type type, String reason, String message) {
    listener.recorded(about, type, reason);
    Instant now = clock.instant();
    String namespace = about.getMetadata().getNamespace();
    Key key = new Key(namespace, about.getKind() + "/" + about.getMetadata().getName() + "/"
        + about.getMetadata().getUid(), type, reason, message);
    try {
      Written before;
      synchronized (written) {
        before = written.get(key);
      }
      if (before != null && now.isBefore(before.first().plus(AGGREGATION_WINDOW)) && raise(namespace, before, now)) {
        remember(key, new Written(before.name(), before.count() + 1, before.first()));
        return;
      }
      Event event = client.v1().events().inNamespace(namespace).resource(newEvent(about, type, reason, message, now))
          .create();
      remember(key, new Written(event.getMetadata().getName(), 1, now));
    } catch (KubernetesClientException e) {
      LOG.warn("Could not record event {} for {}/{}: {}", reason, namespace, about.getMetadata().getName(),
          e.getMessage());
    }
  }

  /** Counts one more occurrence on the Event written before; false when it is gone (expired, deleted). */
  private boolean raise(String namespace, Written before, Instant now) {
    try {
      // A merge patch of the two fields, without reading the Event first (the operator may create and patch Events).
      client.v1().events().inNamespace(namespace).withName(before.name()).patch(PatchContext.of(
          PatchType.JSON_MERGE), "{\"count\":" + (before.count() + 1) + ",\"lastTimestamp\":\"" + timestamp(now)
              + "\"}");
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  private void remember(Key key, Written event) {
    synchronized (written) {
      written.put(key, event);
    }
  }

  private static Event newEvent(HasMetadata about, Type type, String reason, String message, Instant now) {
    return new EventBuilder()
        .withNewMetadata()
        .withName(about.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8)
            .toLowerCase(Locale.ROOT))
        .withNamespace(about.getMetadata().getNamespace())
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(about.getApiVersion())
            .withKind(about.getKind()).withName(about.getMetadata().getName())
            .withNamespace(about.getMetadata().getNamespace()).withUid(about.getMetadata().getUid())
            .withResourceVersion(about.getMetadata().getResourceVersion()).build())
        .withType(type.name())
        .withReason(reason)
        .withMessage(message)
        .withFirstTimestamp(timestamp(now))
        .withLastTimestamp(timestamp(now))
        .withCount(1)
        .withReportingComponent(COMPONENT)
        .withNewSource(COMPONENT, null)
        .build();
  }

  private static String timestamp(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant);
  }
}
