package dev.etcdoperator.e2e;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A CA rotation asked for with the {@code etcdoperator.dev/rotate-ca} annotation: the members come to trust the old
 * and the new CA, get certificates from the new one, and stop trusting the old one, each step rolled out one member at
 * a time, while an application that reads its Secret afresh (as one mounting it does) writes every half second
 * without a failure.
 */
@ClassTemplate
@ExtendWith(Backends.class)
class CaRotationTest {
  private static final Logger LOG = LoggerFactory.getLogger(CaRotationTest.class);
  private static final String NAME = "rotate";
  /** Each step of the rotation lasts at least this long, however fast the members roll. */
  private static final Duration STEP_MINIMUM = Duration.ofSeconds(15);

  @Test
  void aRequestedRotationReplacesTheCaWithoutLosingAvailability(Scenario scenario) {
    EtcdCluster cluster = scenario.tlsCluster(NAME, 3);
    cluster.getSpec().getTls().setCaRotationStepMinSeconds((int) STEP_MINIMUM.toSeconds());
    scenario.apply(cluster);
    scenario.awaitReady(NAME);
    String oldCa = caSecret(scenario).get("ca.crt");

    scenario.patch(NAME, c -> {
      c.getMetadata().setAnnotations(Map.of("etcdoperator.dev/rotate-ca", "rotation-1"));
      return c;
    });
    List<String> written = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    // What the operator reported (logged, not asserted: its Available condition can read QuorumLost for a moment
    // while leadership moves, as its health reads fail during the election); what counts is the application's view.
    List<String> unavailable = new ArrayList<>();
    Instant start = Instant.now();
    Instant[] failingSince = {null};
    Duration[] longestOutage = {Duration.ZERO};
    Map<Integer, Instant> stepStarts = new java.util.TreeMap<>();
    // Every half second: is the cluster Available, and does a write succeed with a client built from the Secret
    // as it is now (an application mounting it sees the same)? A write that reaches a member just as it stops can
    // fail; as for the other scenarios, the cluster is available when writes fail for less than Traffic.MAX_OUTAGE.
    await("the CA rotated").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).until(() -> {
      EtcdCluster etcd = scenario.get(NAME);
      if (!Scenario.hasCondition(etcd, "Available", "True")) {
        unavailable.add(Instant.now() + " " + etcd.getStatus().getConditions().stream()
            .filter(c -> c.getType().equals("Available")).map(c -> c.getReason()).toList());
      }
      Map<String, String> ca = caSecret(scenario);
      if (!ca.getOrDefault("next-ca.crt", "").isEmpty()) {
        stepStarts.putIfAbsent(1, Instant.parse(ca.get("rotation-step-since")));
      } else if (!ca.getOrDefault("previous-ca.crt", "").isEmpty()) {
        stepStarts.putIfAbsent(2, Instant.parse(ca.get("rotation-step-since")));
      }
      String key = "/rotation/" + String.format("%04d", written.size() + failures.size());
      Instant attempt = Instant.now();
      try (Client client = scenario.serviceClient(NAME)) {
        Scenario.join(client.getKVClient().put(Scenario.bytes(key), Scenario.bytes("v")));
        written.add(key);
        if (failingSince[0] != null) {
          Duration outage = Duration.between(failingSince[0], Instant.now());
          longestOutage[0] = outage.compareTo(longestOutage[0]) > 0 ? outage : longestOutage[0];
          failingSince[0] = null;
        }
      } catch (RuntimeException e) {
        failures.add(attempt + " " + key + ": " + e.getMessage());
        failingSince[0] = failingSince[0] == null ? attempt : failingSince[0];
      }
      return rotated(scenario, oldCa) && failingSince[0] == null;
    });
    LOG.info("rotation took {} ms; {} writes, {} failed, longest outage {} ms",
        Duration.between(start, Instant.now()).toMillis(), written.size(), failures.size(), longestOutage[0].toMillis());
    unavailable.forEach(moment -> LOG.warn("status said not Available at {}", moment));
    assertThat(longestOutage[0]).as("longest time writes with a client built from the current Secret failed; "
        + "failures: %s", failures).isLessThan(Traffic.MAX_OUTAGE);
    try (Client client = scenario.serviceClient(NAME)) {
      assertThat(Scenario.readKeys(client, "/rotation/").keySet()).containsAll(written);
    }
    assertThat(stepStarts).as("both intermediate steps seen").containsOnlyKeys(1, 2);
    assertThat(Duration.between(stepStarts.get(1), stepStarts.get(2))).as("step 1 lasted at least its minimum")
        .isGreaterThanOrEqualTo(STEP_MINIMUM);
    List<String> reasons = scenario.eventReasons(NAME);
    assertThat(reasons).as("three rollouts of three members").filteredOn("MemberRestarted"::equals).hasSize(9);
  }

  /** The CA changed, no rotation step is pending, and every member runs the final step, Ready. */
  private static boolean rotated(Scenario scenario, String oldCa) {
    Map<String, String> ca = caSecret(scenario);
    EtcdCluster etcd = scenario.get(NAME);
    return !oldCa.equals(ca.get("ca.crt")) && ca.getOrDefault("next-ca.crt", "").isEmpty()
        && ca.getOrDefault("previous-ca.crt", "").isEmpty() && Scenario.hasCondition(etcd, "Ready", "True")
        && etcd.getStatus().getRollout() == null;
  }

  private static Map<String, String> caSecret(Scenario scenario) {
    Secret secret = scenario.kube().secrets().inNamespace(scenario.namespace()).withName(NAME + "-ca").get();
    Map<String, String> text = new java.util.HashMap<>();
    secret.getData().forEach((k, v) -> text.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    return text;
  }
}
