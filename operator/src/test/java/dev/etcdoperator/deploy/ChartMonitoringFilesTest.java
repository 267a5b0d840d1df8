package dev.etcdoperator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The chart alerts and draws exactly what deploy/monitoring does: its files/monitoring/ copies equal the originals
 * (regenerate them with {@code -Dchart.update=true}).
 */
class ChartMonitoringFilesTest {
  @Test
  void theChartShipsTheRulesAndDashboardOfDeployMonitoring() {
    if (Boolean.getBoolean("chart.update")) {
      ChartMonitoringFiles.update();
    }
    assertThat(ChartMonitoringFiles.chartRules()).as("helm/etcd-operator/files/monitoring/prometheus-rules.yaml "
        + "(stale: run this test with -Dchart.update=true)").isEqualTo(ChartMonitoringFiles.deployRuleSpec());
    assertThat(ChartMonitoringFiles.read(ChartMonitoringFiles.CHART_DASHBOARD))
        .as("helm/etcd-operator/files/monitoring/dashboard.json (stale: run this test with -Dchart.update=true)")
        .isEqualTo(ChartMonitoringFiles.read(ChartMonitoringFiles.DEPLOY_DASHBOARD));
  }
}
