package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import io.etcd.jetcd.Client;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/** Scenario (a): a three-member cluster with default TLS becomes Ready; 1,000 keys through the client Service. */
@ClassTemplate
@ExtendWith(Backends.class)
class ThreeMemberTlsClusterTest {
  private static final String NAME = "main";
  private static final int KEYS = 1000;

  @Test
  void becomesReadyAndServesKeysThroughTheClientService(Scenario scenario) {
    scenario.apply(scenario.tlsCluster(NAME, 3));

    EtcdCluster ready = scenario.awaitReady(NAME);
    assertThat(ready.getStatus().getMembers()).hasSize(3);
    assertThat(ready.getStatus().getReadyReplicas()).isEqualTo(3);

    // Through the client Service, authenticated by the application certificate the operator issued.
    try (Client client = scenario.serviceClient(NAME)) {
      Scenario.writeKeys(client, "/e2e/", KEYS);
      Map<String, String> all = Scenario.readKeys(client, "/e2e/");
      assertThat(all).hasSize(KEYS);
      all.forEach((key, value) ->
          assertThat(value).isEqualTo("value-" + Integer.parseInt(key.substring("/e2e/".length()))));
    }
  }
}
