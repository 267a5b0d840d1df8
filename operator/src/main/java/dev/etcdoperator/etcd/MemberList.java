package dev.etcdoperator.etcd;

import java.util.List;
import java.util.Optional;

/** etcd's member list together with the id of the cluster that answered it. */
public record MemberList(long clusterId, List<EtcdMember> members) {

  public MemberList {
    members = List.copyOf(members);
  }

  public Optional<EtcdMember> byId(long id) {
    return members.stream().filter(m -> m.id() == id).findFirst();
  }

  public Optional<EtcdMember> byName(String name) {
    return members.stream().filter(m -> m.name().equals(name)).findFirst();
  }

  @Override
  public String toString() {
    return "MemberList[clusterId=" + EtcdIds.toHex(clusterId) + ", members=" + members + "]";
  }
}
