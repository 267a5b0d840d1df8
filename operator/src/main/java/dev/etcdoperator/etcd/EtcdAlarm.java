package dev.etcdoperator.etcd;

/**
 * An alarm etcd has raised on a member: {@code NOSPACE} (the backend reached its quota: no writes until it is below
 * again and the alarm is disarmed) or {@code CORRUPT} (a member's data differs from the others'). Alarms are
 * cluster-wide state: any member lists all of them.
 */
public record EtcdAlarm(long memberId, String type) {
  public static final String NOSPACE = "NOSPACE";
  public static final String CORRUPT = "CORRUPT";

  @Override
  public String toString() {
    return type + " on member " + EtcdIds.toHex(memberId);
  }
}
