package dev.etcdoperator.etcd;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * What one member says about itself (etcd's Maintenance/Status RPC, i.e. {@code etcdctl endpoint status}).
 *
 * @param endpoint         the client URL that was asked; the answer is about that member only
 * @param leaderId         the leader this member currently follows, 0 when it knows of none
 * @param dbSizeBytes      size of the backend file on disk
 * @param dbSizeInUseBytes logically used part of it; the difference is what defragmentation reclaims
 * @param errors           errors the member reports about itself (e.g. an active alarm), empty when fine
 */
public record MemberStatus(
    URI endpoint,
    long memberId,
    String version,
    long dbSizeBytes,
    long dbSizeInUseBytes,
    long leaderId,
    long raftIndex,
    long raftTerm,
    List<String> errors) {

  public MemberStatus {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(version, "version");
    errors = List.copyOf(errors);
  }

  /** Whether this member believes it is the leader. */
  public boolean isLeader() {
    return leaderId != 0 && leaderId == memberId;
  }

  @Override
  public String toString() {
    return "MemberStatus[endpoint=" + endpoint + ", memberId=" + EtcdIds.toHex(memberId) + ", version=" + version
        + ", dbSizeBytes=" + dbSizeBytes + ", dbSizeInUseBytes=" + dbSizeInUseBytes
        + ", leaderId=" + EtcdIds.toHex(leaderId) + ", raftIndex=" + raftIndex + ", raftTerm=" + raftTerm
        + ", errors=" + errors + "]";
  }
}
