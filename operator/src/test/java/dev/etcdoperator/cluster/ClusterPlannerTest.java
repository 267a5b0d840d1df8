package dev.etcdoperator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.Reason;
import dev.etcdoperator.cluster.model.ClusterStep;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClusterPlannerTest {
  private static final HasMetadata CONFIG =
      new ConfigMapBuilder().withNewMetadata().withName("main-config").endMetadata().build();
  private static final HasMetadata PEER =
      new ServiceBuilder().withNewMetadata().withName("main-peer").endMetadata().build();
  private static final List<HasMetadata> DRIFTED = List.of(CONFIG, PEER);
  private static final List<String> NO_PROBLEMS = List.of();
  private static final List<String> TWO_PROBLEMS =
      List.of("spec.replicas must be 1, 3, 5, 7 or 9, got 4", "set exactly one of spec.storage.size or spec.storage.emptyDir");

  static Stream<Arguments> cases() {
    return Stream.of(
        // Invalid spec wins over everything else, and every problem is in the message.
        Arguments.of("invalid spec beats pause, drift and waiting",
            new ClusterPlanner.Input(TWO_PROBLEMS, true, DRIFTED, true, false, 3, 0),
            new ClusterStep.Halt(Reason.INVALID_SPEC,
                "spec.replicas must be 1, 3, 5, 7 or 9, got 4; set exactly one of spec.storage.size or "
                    + "spec.storage.emptyDir")),
        Arguments.of("one problem is the whole message",
            new ClusterPlanner.Input(List.of("bad version"), false, List.of(), false, true, 3, 3),
            new ClusterStep.Halt(Reason.INVALID_SPEC, "bad version")),
        // Paused halts before anything is applied.
        Arguments.of("paused beats drift",
            new ClusterPlanner.Input(NO_PROBLEMS, true, DRIFTED, true, false, 3, 0),
            new ClusterStep.Halt(Reason.PAUSED, "reconciliation is paused: no changes are made")),
        Arguments.of("paused on a healthy cluster",
            new ClusterPlanner.Input(NO_PROBLEMS, true, List.of(), false, true, 3, 3),
            new ClusterStep.Halt(Reason.PAUSED, "reconciliation is paused: no changes are made")),
        // Drift: create when something is missing, update otherwise.
        Arguments.of("missing objects are created, in the order given",
            new ClusterPlanner.Input(NO_PROBLEMS, false, DRIFTED, true, false, 3, 0),
            new ClusterStep.ApplyObjects(DRIFTED, Reason.CREATING_RESOURCES)),
        Arguments.of("drifted objects are updated",
            new ClusterPlanner.Input(NO_PROBLEMS, false, List.of(PEER), false, true, 3, 3),
            new ClusterStep.ApplyObjects(List.of(PEER), Reason.UPDATING_RESOURCES)),
        Arguments.of("drift beats waiting for the cluster to form",
            new ClusterPlanner.Input(NO_PROBLEMS, false, List.of(CONFIG), false, false, 3, 1),
            new ClusterStep.ApplyObjects(List.of(CONFIG), Reason.UPDATING_RESOURCES)),
        // Not formed: wait for bootstrap.
        Arguments.of("not formed waits for bootstrap",
            new ClusterPlanner.Input(NO_PROBLEMS, false, List.of(), false, false, 3, 1),
            new ClusterStep.Wait(Duration.ofSeconds(5), Reason.BOOTSTRAPPING,
                "waiting for the members to form the cluster (1/3 pods ready)")),
        Arguments.of("not formed even with all pods ready",
            new ClusterPlanner.Input(NO_PROBLEMS, false, List.of(), false, false, 3, 3),
            new ClusterStep.Wait(Duration.ofSeconds(5), Reason.BOOTSTRAPPING,
                "waiting for the members to form the cluster (3/3 pods ready)")),
        // Formed but pods not all ready.
        Arguments.of("formed with fewer ready pods waits for pods",
            new ClusterPlanner.Input(NO_PROBLEMS, false, List.of(), false, true, 5, 4),
            new ClusterStep.Wait(Duration.ofSeconds(10), Reason.WAITING_FOR_PODS, "4/5 member pods ready")),
        Arguments.of("formed with no ready pod waits for pods",
            new ClusterPlanner.Input(NO_PROBLEMS, false, List.of(), false, true, 1, 0),
            new ClusterStep.Wait(Duration.ofSeconds(10), Reason.WAITING_FOR_PODS, "0/1 member pods ready")),
        // Done.
        Arguments.of("formed with every pod ready is done",
            new ClusterPlanner.Input(NO_PROBLEMS, false, List.of(), false, true, 3, 3),
            new ClusterStep.Done()),
        Arguments.of("more ready pods than desired (scale-down in progress) is done",
            new ClusterPlanner.Input(NO_PROBLEMS, false, List.of(), false, true, 3, 5),
            new ClusterStep.Done()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void choosesOneStep(String description, ClusterPlanner.Input input, ClusterStep expected) {
    assertThat(ClusterPlanner.plan(input)).isEqualTo(expected);
  }
}
