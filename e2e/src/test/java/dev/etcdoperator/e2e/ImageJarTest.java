package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.config.OperatorConfig;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The jar users deploy, run as its image runs it: {@code java -jar} on the shaded jar with operator/Dockerfile's JVM
 * settings and class-data archive, leader election on. The other scenarios run the operator inside the test's JVM
 * on its class path, so what only the jar has (the service files the shading merged and trimmed, the archive, a
 * fresh JVM's start) is checked here: a TLS cluster comes up, and a restarted operator, a new pod that takes the
 * leader Lease over, grows it to three members, the last of which holds the data written before.
 */
class ImageJarTest {
  private static final String NAMESPACE = "e2e-image-jar";
  private static final String NAME = "main";
  private static final String LEADER_LEASE = "etcd-operator-leader";
  private static LocalCluster backend;
  private static Scenario scenario;

  @BeforeAll
  static void start() {
    backend = new LocalCluster("image-jar", NAMESPACE, OperatorConfig.DEFAULT_REPLACE_FAILING_MEMBER_AFTER, true,
        OperatorJvm.ofImage());
    scenario = new Scenario(backend);
  }

  @AfterAll
  static void stop() {
    NoProcessOutlives.closeAndCheck(backend);
  }

  @Test
  void theJarRunsATlsClusterAndANewPodTakesItOver() throws Exception {
    scenario.apply(scenario.tlsCluster(NAME, 1));
    scenario.awaitReady(NAME);
    try (Client client = scenario.serviceClient(NAME)) {
      Scenario.writeKeys(client, "before/", 10);
    }
    String firstLeader = leaseHolder();

    backend.stopOperator();
    backend.startOperator();
    scenario.patch(NAME, etcd -> {
      etcd.getSpec().setReplicas(3);
      return etcd;
    });
    scenario.awaitVotingMembers(NAME, 3, Duration.ofSeconds(120));

    assertThat(leaseHolder()).as("the leader after the restart").isNotEqualTo(firstLeader);
    try (Client added = scenario.memberClient(NAME, 2)) {
      long keys = Scenario.join(added.getKVClient().get(Scenario.bytes("before/"),
          GetOption.builder().isPrefix(true).withCountOnly(true).build())).getCount();
      assertThat(keys).as("keys the last member added serves").isEqualTo(10);
    }
  }

  private static String leaseHolder() {
    Lease lease = backend.client().leases().inNamespace(NAMESPACE).withName(LEADER_LEASE).get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }
}
