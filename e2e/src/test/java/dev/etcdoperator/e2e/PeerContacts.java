package dev.etcdoperator.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What one member's etcd log says about the members added since an instant: when each was added, and each time this
 * member counted it as connected or lost it ("peer became active" / "inactive"). etcd takes the next membership change
 * only once its leader has counted every voter as connected for five seconds, so the leader's log shows where a
 * scale-out waits for etcd, which the cluster's status does not.
 */
final class PeerContacts {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One line of the log that matters here. */
  record Contact(Instant at, String peer, String what) {}

  private final Instant since;
  private final List<Contact> contacts;

  private PeerContacts(Instant since, List<Contact> contacts) {
    this.since = since;
    this.contacts = contacts;
  }

  static PeerContacts read(Path log, Instant since) {
    try {
      return of(Files.exists(log) ? Files.readAllLines(log) : List.of(), since);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static PeerContacts of(List<String> lines, Instant since) {
    Map<String, String> names = new HashMap<>();
    List<Contact> contacts = new ArrayList<>();
    for (String line : lines) {
      Optional<JsonNode> entry = parse(line);
      if (entry.isEmpty()) {
        continue;
      }
      JsonNode e = entry.get();
      Instant at;
      try {
        at = Instant.parse(e.path("ts").asText());
      } catch (DateTimeParseException notUtc) {
        continue;
      }
      String msg = e.path("msg").asText();
      if (msg.equals("added member")) {
        String id = e.path("added-peer-id").asText();
        names.put(id, nameOf(e.path("added-peer-peer-urls").path(0).asText(id)));
        if (!at.isBefore(since)) {
          contacts.add(new Contact(at, names.get(id), "added"));
        }
      } else if (msg.startsWith("peer became ") && !at.isBefore(since)) {
        String id = e.path("peer-id").asText();
        String what = msg.startsWith("peer became active") ? "connected"
            : "lost: " + e.path("error").asText(msg);
        contacts.add(new Contact(at, names.getOrDefault(id, id), what));
      }
    }
    return new PeerContacts(since, contacts);
  }

  List<Contact> contacts() {
    return contacts;
  }

  /**
   * One line per contact, timed from the instant given, each connection also from its member's add: "+7.2 s: s0-1
   * connected (5.0 s after its add)".
   */
  String render() {
    Map<String, Instant> added = new HashMap<>();
    List<String> lines = new ArrayList<>();
    for (Contact c : contacts) {
      String line = String.format(Locale.ROOT, "+%.1f s: %s %s", seconds(Duration.between(since, c.at())), c.peer(),
          c.what());
      if (c.what().equals("added")) {
        added.put(c.peer(), c.at());
      } else if (c.what().equals("connected") && added.containsKey(c.peer())) {
        line += String.format(Locale.ROOT, " (%.1f s after its add)",
            seconds(Duration.between(added.get(c.peer()), c.at())));
      }
      lines.add(line);
    }
    return String.join(System.lineSeparator(), lines);
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }

  /** The member name of a peer URL: the first label of its host ({@code https://s0-1.s0-peer.ns.svc:2380}). */
  private static String nameOf(String peerUrl) {
    String host = peerUrl.replaceFirst("^[a-z]+://", "");
    int end = host.indexOf('.') >= 0 ? host.indexOf('.') : host.indexOf(':');
    return end > 0 ? host.substring(0, end) : host;
  }

  private static Optional<JsonNode> parse(String line) {
    if (!line.startsWith("{")) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readTree(line));
    } catch (IOException notJson) {
      return Optional.empty();
    }
  }
}
