package dev.etcdoperator.schedule;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * A cron expression in the five standard fields (minute hour day-of-month month day-of-week), evaluated in UTC, as
 * Kubernetes CronJobs are by default. Parsed by cron-utils.
 */
public final class CronSchedule {
  private final String expression;
  private final ExecutionTime execution;

  private CronSchedule(String expression, ExecutionTime execution) {
    this.expression = expression;
    this.execution = execution;
  }

  /** @throws InvalidScheduleException with a message naming what is wrong, for the InvalidSpec condition */
  public static CronSchedule parse(String expression) {
    if (expression == null || expression.isBlank()) {
      throw new InvalidScheduleException("the schedule is empty; expected five cron fields, e.g. \"0 3 * * *\"");
    }
    try {
      CronParser parser = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
      return new CronSchedule(expression.strip(), ExecutionTime.forCron(parser.parse(expression.strip())));
    } catch (IllegalArgumentException e) {
      throw new InvalidScheduleException("schedule \"" + expression + "\" is not a valid cron expression (five "
          + "fields: minute hour day-of-month month day-of-week): " + e.getMessage());
    }
  }

  public String expression() {
    return expression;
  }

  /** The first time after {@code time} the schedule fires. */
  public Optional<Instant> nextAfter(Instant time) {
    return execution.nextExecution(utc(time)).map(ZonedDateTime::toInstant);
  }

  /** The latest time at or before {@code time} the schedule fired. */
  public Optional<Instant> latestAtOrBefore(Instant time) {
    ZonedDateTime at = utc(time).truncatedTo(ChronoUnit.MINUTES);
    if (execution.isMatch(at)) {
      return Optional.of(at.toInstant());
    }
    return execution.lastExecution(at).map(ZonedDateTime::toInstant);
  }

  private static ZonedDateTime utc(Instant time) {
    return time.atZone(ZoneOffset.UTC);
  }

  /** A schedule that cannot be used. */
  public static final class InvalidScheduleException extends IllegalArgumentException {
    InvalidScheduleException(String message) {
      super(message);
    }
  }
}
