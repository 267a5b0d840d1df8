package dev.etcdoperator.etcd;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * One entry of etcd's member list.
 *
 * @param name empty for a member that was added but has not started (and so not yet told the cluster its name);
 *             kept empty on purpose, because "added but never started" is a state the reconciler must see
 */
public record EtcdMember(long id, String name, List<URI> peerUrls, List<URI> clientUrls, boolean learner) {

  public EtcdMember {
    Objects.requireNonNull(name, "name");
    peerUrls = List.copyOf(peerUrls);
    clientUrls = List.copyOf(clientUrls);
  }

  /** Whether the member has started at least once (etcd only learns a member's name when it starts). */
  public boolean started() {
    return !name.isEmpty();
  }

  public String idHex() {
    return EtcdIds.toHex(id);
  }

  @Override
  public String toString() {
    return "EtcdMember[id=" + idHex() + ", name=" + (started() ? name : "<unstarted>") + ", peerUrls=" + peerUrls
        + ", clientUrls=" + clientUrls + ", learner=" + learner + "]";
  }
}
