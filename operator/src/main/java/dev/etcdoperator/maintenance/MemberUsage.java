package dev.etcdoperator.maintenance;

/** A member's database as the last observation saw it: what maintenance decides on. */
public record MemberUsage(String name, long id, boolean learner, boolean healthy, long dbSizeBytes,
    long dbSizeInUseBytes) {

  /** Free pages in the file: what a defragmentation gives back. */
  public long reclaimableBytes() {
    return Math.max(0, dbSizeBytes - dbSizeInUseBytes);
  }

  public int fragmentedPercent() {
    return dbSizeBytes == 0 ? 0 : (int) (reclaimableBytes() * 100 / dbSizeBytes);
  }
}
