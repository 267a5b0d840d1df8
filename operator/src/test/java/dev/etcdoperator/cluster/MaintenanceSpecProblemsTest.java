package dev.etcdoperator.cluster;

import static dev.etcdoperator.testing.TestClusters.blueprint;
import static dev.etcdoperator.testing.TestClusters.cluster;
import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.api.v1alpha1.EtcdClusterSpec;
import dev.etcdoperator.api.v1alpha1.EtcdTuning;
import dev.etcdoperator.api.v1alpha1.MaintenanceSpec;
import dev.etcdoperator.resources.EtcdFlags;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * spec.maintenance: compaction is etcd's own auto-compaction, from one place (spec.etcd's older fields still work
 * alone, and the two set differently are refused); a defragmentation schedule that is no cron expression is named.
 */
class MaintenanceSpecProblemsTest {

  private static MaintenanceSpec compaction(EtcdTuning.AutoCompactionMode mode, String retention) {
    MaintenanceSpec.Compaction compaction = new MaintenanceSpec.Compaction();
    compaction.setMode(mode);
    compaction.setRetention(retention);
    MaintenanceSpec maintenance = new MaintenanceSpec();
    maintenance.setCompaction(compaction);
    return maintenance;
  }

  private static EtcdTuning tuned(EtcdTuning.AutoCompactionMode mode, String retention) {
    EtcdTuning tuning = new EtcdTuning();
    tuning.setAutoCompactionMode(mode);
    tuning.setAutoCompactionRetention(retention);
    return tuning;
  }

  private static List<String> problems(Consumer<EtcdClusterSpec> spec) {
    return SpecProblems.of(cluster(spec), Optional.empty());
  }

  @Test
  void compactionInSpecMaintenanceIsRenderedAsEtcdsAutoCompactionFlags() {
    List<String> args = EtcdFlags.render(blueprint("3.6.16", s -> s.setMaintenance(
        compaction(EtcdTuning.AutoCompactionMode.revision, "10000"))));
    assertThat(args).contains("--auto-compaction-mode=revision", "--auto-compaction-retention=10000");

    List<String> older = EtcdFlags.render(blueprint("3.6.16", s -> s.setEtcd(
        tuned(EtcdTuning.AutoCompactionMode.periodic, "1h"))));
    assertThat(older).as("spec.etcd's fields alone still work")
        .contains("--auto-compaction-mode=periodic", "--auto-compaction-retention=1h");
  }

  @Test
  void compactionSetInBothPlacesMustAgree() {
    assertThat(problems(s -> {
      s.setMaintenance(compaction(EtcdTuning.AutoCompactionMode.periodic, "1h"));
      s.setEtcd(tuned(EtcdTuning.AutoCompactionMode.periodic, "1h"));
    })).isEmpty();
    assertThat(problems(s -> {
      s.setMaintenance(compaction(EtcdTuning.AutoCompactionMode.periodic, "1h"));
      s.setEtcd(tuned(EtcdTuning.AutoCompactionMode.periodic, "30m"));
    })).containsExactly("spec.maintenance.compaction and spec.etcd.autoCompactionMode/autoCompactionRetention "
        + "disagree: set compaction in spec.maintenance.compaction only (the spec.etcd fields are deprecated)");
  }

  @Test
  void revisionCompactionKeepsACountNotADuration() {
    assertThat(problems(s -> s.setMaintenance(compaction(EtcdTuning.AutoCompactionMode.revision, "1h"))))
        .containsExactly("spec.maintenance.compaction.retention '1h' is no revision count: mode revision keeps a "
            + "number of revisions, e.g. 10000");
  }

  @Test
  void aDefragmentationScheduleThatIsNoCronExpressionIsNamed() {
    MaintenanceSpec maintenance = new MaintenanceSpec();
    MaintenanceSpec.Defragmentation defragmentation = new MaintenanceSpec.Defragmentation();
    defragmentation.setSchedule("0 25 * * *");
    maintenance.setDefragmentation(defragmentation);

    assertThat(problems(s -> s.setMaintenance(maintenance))).singleElement().satisfies(p -> assertThat(p)
        .startsWith("spec.maintenance.defragmentation: schedule \"0 25 * * *\" is not a valid cron expression"));
  }
}
