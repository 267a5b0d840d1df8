package dev.etcdoperator.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which scheduled backups to delete: complete ones beyond the newest {@code keepLast} or older than {@code maxAge},
 * but never the newest complete one (an old backup is better than none); failed ones likewise (they hold no
 * snapshot, only the reason it failed); running ones never.
 */
public record Retention(Optional<Integer> keepLast, Optional<Duration> maxAge) {

  /** What a scheduled backup is, for retention. */
  public enum Outcome { RUNNING, COMPLETE, FAILED }

  /** One scheduled backup. */
  public record Backup(String name, Instant scheduledAt, Outcome outcome) {}

  public List<String> toDelete(List<Backup> backups, Instant now) {
    List<String> delete = new ArrayList<>();
    delete.addAll(expired(backups, Outcome.COMPLETE, now, true));
    delete.addAll(expired(backups, Outcome.FAILED, now, false));
    return delete;
  }

  private List<String> expired(List<Backup> backups, Outcome outcome, Instant now, boolean keepNewest) {
    List<Backup> newestFirst = backups.stream().filter(b -> b.outcome() == outcome)
        .sorted(Comparator.comparing(Backup::scheduledAt).reversed()).toList();
    List<String> delete = new ArrayList<>();
    for (int i = 0; i < newestFirst.size(); i++) {
      Backup backup = newestFirst.get(i);
      boolean beyondCount = keepLast.isPresent() && i >= keepLast.get();
      boolean tooOld = maxAge.map(age -> backup.scheduledAt().isBefore(now.minus(age))).orElse(false);
      if ((beyondCount || tooOld) && !(keepNewest && i == 0)) {
        delete.add(backup.name());
      }
    }
    return delete;
  }
}
