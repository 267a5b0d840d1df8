package dev.etcdoperator.cluster;

import static dev.etcdoperator.api.v1alpha1.EtcdClusterConditions.VERSION_SUPPORTED;
import static dev.etcdoperator.cluster.StatusFixtures.DONE;
import static dev.etcdoperator.cluster.StatusFixtures.ID0;
import static dev.etcdoperator.cluster.StatusFixtures.ID1;
import static dev.etcdoperator.cluster.StatusFixtures.ID2;
import static dev.etcdoperator.cluster.StatusFixtures.compute;
import static dev.etcdoperator.cluster.StatusFixtures.condition;
import static dev.etcdoperator.cluster.StatusFixtures.healthy;
import static dev.etcdoperator.cluster.StatusFixtures.member;
import static dev.etcdoperator.cluster.StatusFixtures.reached;
import static dev.etcdoperator.cluster.StatusFixtures.unreachable;
import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.cluster.model.EtcdView;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * VersionSupported follows the lowest version the members run: a release out of support or short of a known security
 * fix is False with a reason users can alert on (VersionAdvisories' table).
 */
class VersionSupportedConditionTest {

  @ParameterizedTest(name = "{0} and {1}")
  @CsvSource(delimiter = '|', value = {
      "3.5.30 | 3.5.30 | True | SupportedVersion | etcd 3.5.30 is supported and has every security fix this operator "
          + "knows of",
      "3.6.16 | 3.6.16 | True | SupportedVersion | etcd 3.6.16 is supported",
      "3.5.30 | 3.5.16 | False | SecurityFixMissing | etcd 3.5.16 lacks the fix for CVE-2026-44283, released in "
          + "3.5.30: upgrade to 3.5.30 or newer",
      "3.4.23 | 3.4.23 | False | OutOfSupport | etcd 3.4.23 is a 3.4 release: 3.4 has been out of support since "
          + "June 2026",
      "3.5.16 | 3.4.23 | False | OutOfSupport | etcd 3.4.23 is a 3.4 release"})
  void theLowestRunningVersionDecides(String one, String other, String status, String reason, String message) {
    EtcdView.Reached etcd = reached(List.of(member(ID0, "main-0", false), member(ID1, "main-1", false),
        member(ID2, "main-2", false)), List.of(healthy("main-0", ID0, one, ID0, 4096),
            healthy("main-1", ID1, other, ID0, 4096), unreachable("main-2", "connection refused")));

    Condition condition = condition(compute(DONE, etcd, 2, true), VERSION_SUPPORTED);

    assertThat(condition.getStatus()).isEqualTo(status);
    assertThat(condition.getReason()).isEqualTo(reason);
    assertThat(condition.getMessage()).startsWith(message);
  }
}
