package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.EtcdTuning;
import dev.etcdoperator.api.v1alpha1.MaintenanceSpec;
import dev.etcdoperator.api.v1alpha1.MemberStatus;
import io.etcd.jetcd.Client;
import java.time.Duration;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A three-member cluster with a 2 MiB backend quota, filled by an application until etcd raises NOSPACE: status says
 * NoSpace (not QuorumLost, which would point at the restore runbook), the members stay healthy, the operator's
 * recovery finds the live data filling the quota and says so; raising the quota rolls out to every member (which an
 * alarm taken for unhealthy members would block), and the operator then disarms: the application writes again.
 */
@ClassTemplate
@ExtendWith(Backends.class)
class NoSpaceAlarmTest {
  private static final String NAME = "full";

  @Test
  void aFullBackendIsReportedAsNoSpaceAndRecoversOnceTheQuotaIsRaised(Scenario scenario) {
    EtcdCluster etcd = scenario.tlsCluster(NAME, 3);
    etcd.getSpec().setEtcd(new EtcdTuning());
    etcd.getSpec().getEtcd().setQuotaBackendBytes(2L * 1024 * 1024);
    // Disarm only under 10% of the quota: whatever the application wrote stays over it until the quota is raised.
    MaintenanceSpec.NoSpace noSpace = new MaintenanceSpec.NoSpace();
    noSpace.setDisarmBelowPercent(10);
    etcd.getSpec().setMaintenance(new MaintenanceSpec());
    etcd.getSpec().getMaintenance().setNoSpace(noSpace);
    scenario.apply(etcd);
    scenario.awaitReady(NAME);

    try (Client client = scenario.serviceClient(NAME)) {
      String value = "x".repeat(100_000);
      assertThatThrownBy(() -> {
        for (int i = 0; i < 100; i++) {
          Scenario.join(client.getKVClient().put(Scenario.bytes("/fill/" + i), Scenario.bytes(value)));
        }
      }).hasMessageContaining("database space exceeded");
    }

    EtcdCluster full = scenario.awaitCluster(NAME, "NoSpace reported", Duration.ofMinutes(1),
        c -> c.getStatus().getConditions().stream().anyMatch(cond -> cond.getType().equals("Available")
            && cond.getStatus().equals("False") && cond.getReason().equals("NoSpace")));
    assertThat(full.getStatus().getConditions()).anySatisfy(c -> {
      assertThat(c.getType()).isEqualTo("Degraded");
      assertThat(c.getReason()).isEqualTo("NoSpace");
    });
    assertThat(full.getStatus().getMembers()).hasSize(3).allSatisfy(m -> assertThat(m.getHealthy()).isTrue());
    scenario.awaitCluster(NAME, "the recovery says the data fills the quota", Duration.ofMinutes(1),
        c -> c.getStatus().getConditions().stream().anyMatch(cond -> cond.getType().equals("Degraded")
            && cond.getReason().equals("NoSpace") && cond.getMessage().contains("the live data fills it")));

    scenario.patch(NAME, c -> {
      c.getSpec().getEtcd().setQuotaBackendBytes(64L * 1024 * 1024);
      return c;
    });
    scenario.awaitCluster(NAME, "every member restarted with the raised quota", Duration.ofMinutes(3),
        c -> c.getStatus().getRollout() == null && scenario.kube().pods().inNamespace(scenario.namespace())
            .withLabel("app.kubernetes.io/instance", NAME).list().getItems().stream()
            .filter(p -> p.getSpec().getContainers().get(0).getArgs().contains("--quota-backend-bytes=67108864"))
            .count() == 3
            && c.getStatus().getMembers().stream().allMatch(MemberStatus::getHealthy));
    scenario.awaitCluster(NAME, "NOSPACE disarmed by the operator", Duration.ofMinutes(2),
        c -> Scenario.hasCondition(c, "Available", "True") && Scenario.hasCondition(c, "Ready", "True"));
    try (Client client = scenario.serviceClient(NAME)) {
      Scenario.join(client.getKVClient().put(Scenario.bytes("/after"), Scenario.bytes("written")));
    }
    assertThat(scenario.eventReasons(NAME)).contains("NoSpaceDataFillsQuota", "NoSpaceDisarmed");
  }
}
