package dev.etcdoperator.support;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Records Kubernetes Events about our custom resources. A failure to record is logged, never fatal. */
public final class EventRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  public static final String COMPONENT = "etcd-operator";

  public enum Type { Normal, Warning }

  private final KubernetesClient client;
  private final Clock clock;

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  public void record(HasMetadata about, Type type, String reason, String message) {
    String now = DateTimeFormatter.ISO_INSTANT.format(clock.instant());
    var event = new EventBuilder()
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
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .withReportingComponent(COMPONENT)
        .withNewSource(COMPONENT, null)
        .build();
    try {
      client.v1().events().inNamespace(about.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      LOG.warn("Could not record event {} for {}/{}: {}", reason, about.getMetadata().getNamespace(),
          about.getMetadata().getName(), e.getMessage());
    }
  }
}
