package dev.etcdoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The leader's log of a scale-out, as etcd 3.4 wrote it in a benchmark run (abridged to the fields read). */
class PeerContactsTest {
  private static final List<String> LEADER_LOG = List.of(
      "### start: etcd --name=s0-0",
      "{\"level\":\"info\",\"ts\":\"2026-12-05T23:18:10.371Z\",\"msg\":\"added member\","
          + "\"added-peer-id\":\"6548f8b5a7d7844\","
          + "\"added-peer-peer-urls\":[\"https://s0-0.s0-peer.scale.svc:2380\"]}",
      "{\"level\":\"info\",\"ts\":\"2026-12-05T23:19:27.446Z\",\"msg\":\"added member\","
          + "\"added-peer-id\":\"4e9712fefb38539d\","
          + "\"added-peer-peer-urls\":[\"https://s0-1.s0-peer.scale.svc:2380\"]}",
      "{\"level\":\"info\",\"ts\":\"2026-12-05T23:19:28.307Z\",\"msg\":\"peer became active\","
          + "\"peer-id\":\"4e9712fefb38539d\"}",
      "{\"level\":\"warn\",\"ts\":\"2026-12-05T23:19:28.371Z\",\"msg\":\"peer became inactive (message send to peer "
          + "failed)\",\"peer-id\":\"4e9712fefb38539d\",\"error\":\"failed to dial 4e9712fefb38539d on stream Message "
          + "(dial tcp: lookup s0-1.s0-peer.scale.svc on 10.255.255.53:53: no such host)\"}",
      "{\"level\":\"warn\",\"ts\":\"2026-12-05T23:19:30.760Z\",\"msg\":\"failed to reach the peer URL\"}",
      "{\"level\":\"info\",\"ts\":\"2026-12-05T23:19:32.477Z\",\"msg\":\"peer became active\","
          + "\"peer-id\":\"4e9712fefb38539d\"}",
      "not json",
      "{\"level\":\"info\",\"ts\":\"2026-12-05T23:19:37.647Z\",\"msg\":\"added member\","
          + "\"added-peer-id\":\"fa25bdf013e7edf6\","
          + "\"added-peer-peer-urls\":[\"https://s0-2.s0-peer.scale.svc:2380\"]}");

  @Test
  void eachAddedMemberIsNamedAndItsConnectionsTimedFromTheStartAndFromItsAdd() {
    PeerContacts contacts = PeerContacts.of(LEADER_LOG, Instant.parse("2026-12-05T23:19:25.000Z"));

    assertThat(contacts.contacts()).extracting(PeerContacts.Contact::peer)
        .containsExactly("s0-1", "s0-1", "s0-1", "s0-1", "s0-2");
    assertThat(contacts.render()).isEqualTo(String.join(System.lineSeparator(),
        "+2.4 s: s0-1 added",
        "+3.3 s: s0-1 connected (0.9 s after its add)",
        "+3.4 s: s0-1 lost: failed to dial 4e9712fefb38539d on stream Message (dial tcp: lookup "
            + "s0-1.s0-peer.scale.svc on 10.255.255.53:53: no such host)",
        "+7.5 s: s0-1 connected (5.0 s after its add)",
        "+12.6 s: s0-2 added"));
  }

  @Test
  void whatCameBeforeTheStartIsLeftOutButStillNamesThePeers() {
    PeerContacts contacts = PeerContacts.of(LEADER_LOG, Instant.parse("2026-12-05T23:19:30.000Z"));

    assertThat(contacts.render()).isEqualTo(String.join(System.lineSeparator(),
        "+2.5 s: s0-1 connected",
        "+7.6 s: s0-2 added"));
  }
}
