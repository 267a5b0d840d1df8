package dev.etcdoperator.etcd;

import io.etcd.jetcd.cluster.Member;
import io.etcd.jetcd.cluster.MemberListResponse;
import io.etcd.jetcd.maintenance.AlarmMember;
import io.etcd.jetcd.maintenance.StatusResponse;
import java.net.URI;
import java.util.List;

/** jetcd response types to this package's records; the only place that reads jetcd's response classes. */
final class Convert {

  private Convert() {
  }

  static MemberList memberList(MemberListResponse response) {
    return new MemberList(response.getHeader().getClusterId(),
        response.getMembers().stream().map(Convert::member).toList());
  }

  static EtcdMember member(Member m) {
    return new EtcdMember(m.getId(), m.getName() == null ? "" : m.getName(), m.getPeerURIs(), m.getClientURIs(),
        m.isLearner());
  }

  static MemberStatus status(URI endpoint, StatusResponse s) {
    return new MemberStatus(endpoint, s.getHeader().getMemberId(), s.getVersion(), s.getDbSize(),
        s.getDbSizeInUse(), s.getLeader(), s.getRaftIndex(), s.getRaftTerm(),
        s.getErrorList() == null ? List.of() : s.getErrorList());
  }

  static EtcdAlarm alarm(AlarmMember alarm) {
    return new EtcdAlarm(alarm.getMemberId(), alarm.getAlarmType().name());
  }
}
