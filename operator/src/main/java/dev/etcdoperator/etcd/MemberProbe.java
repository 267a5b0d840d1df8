package dev.etcdoperator.etcd;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of asking one member endpoint how it is.
 *
 * <p>{@code status} is present whenever the member answered the status call, even if it is not healthy (a member
 * cut off from quorum still answers status but cannot serve a linearizable read). {@code error} explains every
 * probe that is not healthy.
 */
public record MemberProbe(URI endpoint, Optional<MemberStatus> status, boolean healthy, Optional<String> error) {

  public MemberProbe {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(error, "error");
    if (!healthy && error.isEmpty()) {
      throw new IllegalArgumentException("an unhealthy probe must say why: " + endpoint);
    }
  }

  static MemberProbe healthy(URI endpoint, MemberStatus status) {
    return new MemberProbe(endpoint, Optional.of(status), true, Optional.empty());
  }

  static MemberProbe unhealthy(URI endpoint, Optional<MemberStatus> status, String error) {
    return new MemberProbe(endpoint, status, false, Optional.of(error));
  }

  /** The member id, when the member answered. */
  public Optional<Long> memberId() {
    return status.map(MemberStatus::memberId);
  }
}
