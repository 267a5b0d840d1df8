package dev.etcdoperator.resources;

import static dev.etcdoperator.testing.TestClusters.blueprint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.resources.BootstrapConfig.InitialClusterState;
import dev.etcdoperator.support.IpFamily;
import java.util.List;
import org.junit.jupiter.api.Test;

class BootstrapConfigTest {

  @Test
  void singleMemberBootstrap() {
    BootstrapConfig config = BootstrapConfig.initial(blueprint("3.5.21", s -> s.setReplicas(1)));

    assertThat(config.initialCluster()).isEqualTo("main-0=http://main-0.main-peer.db.svc:2380");
    assertThat(config.state()).isEqualTo(InitialClusterState.NEW);
  }

  @Test
  void threeMemberBootstrapListsEveryMemberInOrdinalOrder() {
    BootstrapConfig config = BootstrapConfig.initial(blueprint("3.5.21", s -> s.setReplicas(3)));

    assertThat(config.initialCluster()).isEqualTo("main-0=http://main-0.main-peer.db.svc:2380,"
        + "main-1=http://main-1.main-peer.db.svc:2380,main-2=http://main-2.main-peer.db.svc:2380");
    assertThat(config.state()).isEqualTo(InitialClusterState.NEW);
  }

  @Test
  void tokenIsDerivedFromTheUidOfThisIncarnation() {
    assertThat(BootstrapConfig.initial(blueprint()).token()).isEqualTo("main-3f2a9c1e");

    ClusterBlueprint recreated = new ClusterBlueprint(blueprint().names(), "0b1c2d3e-aaaa-bbbb-cccc-ddddeeeeffff",
        "etcdoperator.dev/v1alpha1", "EtcdCluster", 3, blueprint().version(), "img", blueprint().storage(),
        EtcdSettings.DEFAULTS, PodSettings.DEFAULTS, new MemberTls.Plain(), IpFamily.IPV4);
    assertThat(BootstrapConfig.initial(recreated).token()).isEqualTo("main-0b1c2d3e");
  }

  @Test
  void peerUrlsFollowTheScheme() {
    BootstrapConfig config = BootstrapConfig.initial(blueprint("3.5.21", s -> s.setReplicas(1))
        .withTls(new MemberTls.Mutual("main-server-tls", "main-peer-tls")));

    assertThat(config.initialCluster()).isEqualTo("main-0=https://main-0.main-peer.db.svc:2380");
  }

  @Test
  void withStateKeepsMembersAndToken() {
    BootstrapConfig initial = BootstrapConfig.initial(blueprint());

    BootstrapConfig existing = initial.withState(InitialClusterState.EXISTING);

    assertThat(existing.state()).isEqualTo(InitialClusterState.EXISTING);
    assertThat(existing.initialCluster()).isEqualTo(initial.initialCluster());
    assertThat(existing.token()).isEqualTo(initial.token());
  }

  @Test
  void initialClusterForChosenOrdinals() {
    assertThat(BootstrapConfig.initialClusterOf(blueprint(), List.of(0, 3)))
        .isEqualTo("main-0=http://main-0.main-peer.db.svc:2380,main-3=http://main-3.main-peer.db.svc:2380");
  }

  @Test
  void statesUseEtcdsFlagValues() {
    assertThat(InitialClusterState.NEW.value()).isEqualTo("new");
    assertThat(InitialClusterState.EXISTING.value()).isEqualTo("existing");
    assertThat(InitialClusterState.parse("existing")).contains(InitialClusterState.EXISTING);
    assertThat(InitialClusterState.parse("EXISTING")).isEmpty();
    assertThat(InitialClusterState.parse(null)).isEmpty();
  }
}
