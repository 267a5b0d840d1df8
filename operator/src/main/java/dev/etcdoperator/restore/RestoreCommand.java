package dev.etcdoperator.restore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The two steps a restore pod runs with the operator's own image, around the etcd image's {@code snapshot restore}:
 * fetch the snapshot (checked by etcd's own trailing SHA-256, and against the checksum recorded for it where one is)
 * onto the member's volume, then move the restored data directory
 * into place. The operator renders them as arguments ({@link #toArgs()}); the pod parses them back ({@link #parse}).
 */
public sealed interface RestoreCommand {
  String FETCH = "fetch-snapshot";
  String COMMIT = "commit-restore";

  /** The arguments after {@code java -jar etcd-operator.jar}. */
  List<String> toArgs();

  /**
   * Download {@code s3://bucket/key} into {@code snapshot}, refusing it unless it ends with the SHA-256 of what
   * precedes it (as every etcd snapshot does) and, if {@code sha256} is given, the whole object's SHA-256 is that.
   * Refuses to start when {@code dataDir} already holds data: a restore never overwrites a member's data.
   * Credentials come from the pod's environment (the AWS variables set from the Secret, or the default chain).
   */
  record Fetch(String bucket, String key, Optional<String> sha256, String region, Optional<String> endpoint,
      boolean pathStyle, Path snapshot, Path dataDir) implements RestoreCommand {
    public Fetch {
      Objects.requireNonNull(bucket, "bucket");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(sha256, "sha256");
      Objects.requireNonNull(region, "region");
      Objects.requireNonNull(endpoint, "endpoint");
      Objects.requireNonNull(snapshot, "snapshot");
      Objects.requireNonNull(dataDir, "dataDir");
    }

    @Override
    public List<String> toArgs() {
      List<String> args = new ArrayList<>(List.of(FETCH, "--bucket=" + bucket, "--key=" + key));
      sha256.ifPresent(h -> args.add("--sha256=" + h));
      args.add("--region=" + region);
      endpoint.ifPresent(e -> args.add("--endpoint=" + e));
      if (pathStyle) {
        args.add("--path-style=true");
      }
      args.add("--snapshot=" + snapshot);
      args.add("--data-dir=" + dataDir);
      return List.copyOf(args);
    }
  }

  /** Move the directory {@code snapshot restore} wrote ({@code restored}) to {@code dataDir}; remove {@code staging}. */
  record Commit(Path restored, Path dataDir, Path staging) implements RestoreCommand {
    public Commit {
      Objects.requireNonNull(restored, "restored");
      Objects.requireNonNull(dataDir, "dataDir");
      Objects.requireNonNull(staging, "staging");
    }

    @Override
    public List<String> toArgs() {
      return List.of(COMMIT, "--restored=" + restored, "--data-dir=" + dataDir, "--staging=" + staging);
    }
  }

  /** @throws IllegalArgumentException naming the unknown, missing or repeated argument */
  static RestoreCommand parse(List<String> args) {
    if (args.isEmpty()) {
      throw new IllegalArgumentException("no command: expected " + FETCH + " or " + COMMIT);
    }
    Map<String, String> options = new HashMap<>();
    for (String arg : args.subList(1, args.size())) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("expected --name=value, got " + arg);
      }
      if (options.put(arg.substring(2, eq), arg.substring(eq + 1)) != null) {
        throw new IllegalArgumentException("argument " + arg.substring(0, eq) + " given twice");
      }
    }
    Options o = new Options(options);
    RestoreCommand command = switch (args.get(0)) {
      case FETCH -> new Fetch(o.take("bucket"), o.take("key"), o.optional("sha256"), o.take("region"),
          o.optional("endpoint"), Boolean.parseBoolean(o.optional("path-style").orElse("false")),
          Path.of(o.take("snapshot")), Path.of(o.take("data-dir")));
      case COMMIT -> new Commit(Path.of(o.take("restored")), Path.of(o.take("data-dir")), Path.of(o.take("staging")));
      default -> throw new IllegalArgumentException("unknown command " + args.get(0) + ": expected " + FETCH
          + " or " + COMMIT);
    };
    if (!options.isEmpty()) {
      throw new IllegalArgumentException("unknown argument(s) for " + args.get(0) + ": --"
          + String.join(", --", options.keySet()));
    }
    return command;
  }

  /** Options taken one by one, so that what is left over is unknown. */
  record Options(Map<String, String> values) {
    String take(String name) {
      String value = values.remove(name);
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException("missing --" + name);
      }
      return value;
    }

    Optional<String> optional(String name) {
      return Optional.ofNullable(values.remove(name)).filter(v -> !v.isBlank());
    }
  }
}
