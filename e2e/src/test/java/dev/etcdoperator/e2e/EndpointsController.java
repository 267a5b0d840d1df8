package dev.etcdoperator.e2e;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.EndpointSubsetBuilder;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoints controller and cluster DNS for Services, in one: a Service name ({@code <svc>.<ns>.svc}) resolves
 * through {@link ClusterDns} to the addresses of its ready pods (all its pods with publishNotReadyAddresses), and an
 * {@code Endpoints} object of the Service's name lists them (ready ones in addresses, the others in
 * notReadyAddresses); both go with their Service. Pod readiness comes from the {@link Kubelet}.
 */
final class EndpointsController implements StandIn {
  private static final Logger LOG = LoggerFactory.getLogger(EndpointsController.class);

  private final KubernetesClient client;
  private final Kubelet kubelet;
  private final ClusterDns dns;
  /** What each Endpoints object (by ns/name) was last written with. */
  private final Map<String, EndpointSubset> written = new HashMap<>();
  private final StandInLoop loop = new StandInLoop("endpoints-standin");
  private SharedIndexInformer<Service> services;
  private SharedIndexInformer<Pod> pods;

  EndpointsController(KubernetesClient client, Kubelet kubelet, ClusterDns dns) {
    this.client = client;
    this.kubelet = kubelet;
    this.dns = dns;
  }

  @Override
  public void start() {
    services = client.services().inAnyNamespace().inform();
    pods = client.pods().inAnyNamespace().inform();
    kubelet.beforeStopping(this::sync);
    loop.every(Duration.ofMillis(200), this::sync);
  }

  /** From its own loop and from the kubelet's, when a pod is being stopped. */
  private synchronized void sync() {
    List<Kubelet.PodEndpoint> running = kubelet.podEndpoints();
    Set<String> current = new HashSet<>();
    for (Service service : services.getStore().list()) {
      Map<String, String> selector = service.getSpec().getSelector();
      if (selector == null || selector.isEmpty()) {
        continue;
      }
      String ns = service.getMetadata().getNamespace();
      current.add(ns + "/" + service.getMetadata().getName());
      boolean notReadyToo = Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses());
      List<EndpointAddress> ready = new ArrayList<>();
      List<EndpointAddress> notReady = new ArrayList<>();
      for (Kubelet.PodEndpoint pod : running) {
        Pod object = pods.getStore().getByKey(ns + "/" + pod.name());
        Map<String, String> labels = object == null ? null : object.getMetadata().getLabels();
        if (!pod.namespace().equals(ns) || labels == null || !labels.entrySet().containsAll(selector.entrySet())) {
          continue;
        }
        EndpointAddress address = new EndpointAddressBuilder().withIp(pod.address()).withHostname(pod.name())
            .withNewTargetRef().withKind("Pod").withNamespace(ns).withName(pod.name()).withUid(pod.uid())
            .endTargetRef().build();
        (pod.ready() || notReadyToo ? ready : notReady).add(address);
      }
      ready.sort(Comparator.comparing(EndpointAddress::getIp));
      notReady.sort(Comparator.comparing(EndpointAddress::getIp));
      dns.putService(ns, service.getMetadata().getName(),
          ready.stream().map(EndpointAddress::getIp).collect(Collectors.toSet()));
      write(service, ready, notReady);
    }
    for (String gone : List.copyOf(written.keySet())) {
      if (!current.contains(gone)) {
        String[] key = gone.split("/", 2);
        dns.putService(key[0], key[1], Set.of());
        client.endpoints().inNamespace(key[0]).withName(key[1]).delete();
        written.remove(gone);
      }
    }
  }

  private void write(Service service, List<EndpointAddress> ready, List<EndpointAddress> notReady) {
    String key = service.getMetadata().getNamespace() + "/" + service.getMetadata().getName();
    List<EndpointPort> ports = Optional.ofNullable(service.getSpec().getPorts()).orElse(List.of()).stream()
        .map(p -> new EndpointPortBuilder().withName(p.getName()).withProtocol(p.getProtocol())
            .withPort(p.getTargetPort() != null && p.getTargetPort().getIntVal() != null
                ? p.getTargetPort().getIntVal() : p.getPort()).build())
        .toList();
    EndpointSubset subset = new EndpointSubsetBuilder().withAddresses(ready).withNotReadyAddresses(notReady)
        .withPorts(ports).build();
    if (subset.equals(written.get(key))) {
      return;
    }
    Endpoints endpoints = new EndpointsBuilder().withNewMetadata().withName(service.getMetadata().getName())
        .withNamespace(service.getMetadata().getNamespace()).withLabels(service.getMetadata().getLabels())
        .endMetadata().withSubsets(ready.isEmpty() && notReady.isEmpty() ? List.of() : List.of(subset)).build();
    try {
      client.endpoints().inNamespace(service.getMetadata().getNamespace()).resource(endpoints)
          .createOr(NonDeletingOperation::update);
      written.put(key, subset);
    } catch (KubernetesClientException e) {
      LOG.debug("endpoints {} write failed, retrying: {}", key, e.getMessage());
    }
  }

  @Override
  public void close() {
    loop.stop();
    if (services != null) {
      services.close();
    }
    if (pods != null) {
      pods.close();
    }
  }
}
