package dev.etcdoperator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Whether losing one node would lose the quorum (review finding 24: soft anti-affinity). */
class MemberPlacementTest {

  @Test
  void twoOfThreeMembersOnOneNodeAreReported() {
    assertThat(MemberPlacement.of(pods("n1", "n2", "n1"))).contains(new MemberPlacement(false, "MembersShareANode",
        "node n1 runs main-0, main-2: losing it would lose the quorum (2 of 3 members). The default anti-affinity "
            + "only prefers other nodes; spec.podTemplate.affinity can require them"));
  }

  @Test
  void fiveMembersMayLoseTwoOnOneNodeButNotThree() {
    assertThat(MemberPlacement.of(pods("n1", "n1", "n2", "n3", "n4"))).contains(new MemberPlacement(true,
        "NodeLossTolerated", "no node runs more members than the cluster can lose (2 of 5)"));
    assertThat(MemberPlacement.of(pods("n1", "n1", "n2", "n1", "n4"))).get()
        .satisfies(p -> assertThat(p.spread()).isFalse());
  }

  @Test
  void threeMembersOnThreeNodesAreSpread() {
    assertThat(MemberPlacement.of(pods("n1", "n2", "n3"))).get().satisfies(p -> assertThat(p.spread()).isTrue());
  }

  @Test
  void nothingIsSaidBelowThreeMembersOrBeforeEveryPodIsOnANode() {
    assertThat(MemberPlacement.of(pods("n1"))).isEmpty();
    assertThat(MemberPlacement.of(pods("n1", "n1"))).isEmpty();
    assertThat(MemberPlacement.of(pods("n1", null, "n2"))).isEmpty();
  }

  private static List<Pod> pods(String... nodes) {
    return IntStream.range(0, nodes.length).mapToObj(i -> new PodBuilder().withNewMetadata().withName("main-" + i)
        .endMetadata().withNewSpec().withNodeName(nodes[i]).endSpec().build()).toList();
  }
}
