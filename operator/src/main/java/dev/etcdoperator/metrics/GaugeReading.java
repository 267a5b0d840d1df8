package dev.etcdoperator.metrics;

import java.time.Duration;
import java.time.Instant;

/**
 * One series of a cluster gauge: which gauge, the value of its extra label ({@code null} when it has none) and
 * its value. Ages and times to expiry are kept as instants and measured at scrape time, so they stay right between
 * two reconciles.
 */
record GaugeReading(ClusterGauge gauge, String labelValue, Value value) {

  /** A gauge's value, measured when Prometheus scrapes. */
  sealed interface Value {
    double at(Instant now);
  }

  record Fixed(double value) implements Value {
    @Override
    public double at(Instant now) {
      return value;
    }
  }

  record SecondsUntil(Instant when) implements Value {
    @Override
    public double at(Instant now) {
      return Duration.between(now, when).toMillis() / 1000.0;
    }
  }

  record SecondsSince(Instant when) implements Value {
    @Override
    public double at(Instant now) {
      return Duration.between(when, now).toMillis() / 1000.0;
    }
  }

  static GaugeReading of(ClusterGauge gauge, double value) {
    return new GaugeReading(gauge, null, new Fixed(value));
  }

  static GaugeReading of(ClusterGauge gauge, boolean value) {
    return of(gauge, value ? 1 : 0);
  }

  /** Identifies the series among a cluster's: the gauge and its extra label's value. */
  String series() {
    return labelValue == null ? gauge.name() : gauge.name() + "/" + labelValue;
  }
}
