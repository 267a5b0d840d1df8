package dev.etcdoperator.e2e;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * etcd's own floor for a scale-out: one etcd process grown to {@code target} members by plain {@code etcdctl} calls,
 * the way the operator grows a cluster (add a learner, start it, promote it, one member at a time; etcd holds one
 * learner at most), but with no TLS, no Kubernetes and every refused call asked again after 100 ms. With
 * {@code --strict-reconfig-check} (on by default) the leader takes a membership change only once it has been
 * connected to every voting member for five seconds, so each member after the first waits for the one before it.
 */
public final class ScaleOutFloor {
  private static final Duration RETRY = Duration.ofMillis(100);
  // etcdctl prints the id with %16x: a leading zero becomes a space ("Member  34d4d254cc820d1 added")
  private static final Pattern ADDED = Pattern.compile("Member\\s+([0-9a-f]+) added");

  private ScaleOutFloor() {}

  /** When each step of one member's addition happened, from the start of the scale-out. */
  record MemberSteps(int ordinal, Duration added, int addsRefused, Duration healthy, Duration promoted,
      int promotionsRefused) {
    @Override
    public String toString() {
      return String.format("member %d: learner added at %.1f s (%d refusals before), healthy at %.1f s, promoted at "
          + "%.1f s (%d refusals before)", ordinal, seconds(added), addsRefused, seconds(healthy), seconds(promoted),
          promotionsRefused);
    }
  }

  record Result(Duration total, List<MemberSteps> members) {
    @Override
    public String toString() {
      StringBuilder out = new StringBuilder(String.format("etcd floor, scale-out 1 -> %d: %d ms%n", members.size() + 1,
          total.toMillis()));
      members.forEach(m -> out.append("  ").append(m).append(System.lineSeparator()));
      return out.toString();
    }
  }

  /** Alone: {@code -Dbench.main=dev.etcdoperator.e2e.ScaleOutFloor}, {@code -Dbench.floor.members} (default 3). */
  public static void main(String[] args) throws Exception {
    int members = Integer.getInteger("bench.floor.members", 3);
    for (int run = 1; run <= Integer.getInteger("bench.floor.runs", 3); run++) {
      System.out.print("run " + run + ": " + measure(members));
    }
    System.exit(0);
  }

  static Result measure(int target) throws Exception {
    Path dir = Files.createTempDirectory("etcd-scale-out-floor");
    List<Process> processes = new ArrayList<>();
    try {
      StringBuilder initialCluster = new StringBuilder(name(0) + "=" + peer(0));
      processes.add(start(dir, 0, initialCluster.toString(), "new"));
      await("the first member healthy").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(50))
          .until(() -> ScaleBenchmark.EtcdFloor.healthy(health(0)));
      List<MemberSteps> steps = new ArrayList<>();
      Instant start = Instant.now();
      for (int ordinal = 1; ordinal < target; ordinal++) {
        Etcdctl.Accepted add = Etcdctl.untilAccepted("member", "add", name(ordinal), "--learner",
            "--peer-urls=" + peer(ordinal));
        Duration added = Duration.between(start, Instant.now());
        Matcher id = ADDED.matcher(add.output());
        if (!id.find()) {
          throw new IllegalStateException("no member id in: " + add.output());
        }
        initialCluster.append(',').append(name(ordinal)).append('=').append(peer(ordinal));
        processes.add(start(dir, ordinal, initialCluster.toString(), "existing"));
        int member = ordinal;
        await("member " + ordinal + " healthy").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(50))
            .until(() -> ScaleBenchmark.EtcdFloor.healthy(health(member)));
        Duration healthy = Duration.between(start, Instant.now());
        Etcdctl.Accepted promotion = Etcdctl.untilAccepted("member", "promote", id.group(1));
        steps.add(new MemberSteps(ordinal, added, add.refusals(), healthy, Duration.between(start, Instant.now()),
            promotion.refusals()));
      }
      return new Result(Duration.between(start, Instant.now()), steps);
    } finally {
      processes.forEach(Process::destroy);
      for (Process p : processes) {
        p.waitFor();
      }
      ClaimController.deleteRecursively(dir);
    }
  }

  private static Process start(Path dir, int ordinal, String initialCluster, String state) throws IOException {
    String client = "http://" + host(ordinal) + ":2379";
    return new ProcessBuilder("etcd", "--name", name(ordinal), "--data-dir", dir.resolve(name(ordinal)).toString(),
        "--listen-client-urls", client, "--advertise-client-urls", client, "--listen-peer-urls", peer(ordinal),
        "--initial-advertise-peer-urls", peer(ordinal), "--initial-cluster", initialCluster,
        "--initial-cluster-state", state).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name(ordinal) + ".log").toFile()).start();
  }

  private static String name(int ordinal) {
    return "f" + ordinal;
  }

  private static String host(int ordinal) {
    return "127.212.0." + (ordinal + 1);
  }

  private static String peer(int ordinal) {
    return "http://" + host(ordinal) + ":2380";
  }

  private static URI health(int ordinal) {
    return URI.create("http://" + host(ordinal) + ":2379/health");
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }

  /** {@code etcdctl} against the first member, which stays the leader (it is the only voter to begin with). */
  private static final class Etcdctl {
    private static final Duration GIVE_UP = Duration.ofMinutes(2);

    record Accepted(String output, int refusals) {}

    /** Asks every 100 ms until etcd accepts: it refuses a change it cannot take yet (the operator asks every 1 s). */
    static Accepted untilAccepted(String... args) {
      List<Outcome> tries = new ArrayList<>();
      await("etcdctl " + String.join(" ", args) + " accepted").atMost(GIVE_UP).pollInSameThread()
          .pollDelay(Duration.ZERO).pollInterval(RETRY).until(() -> {
            tries.add(run(args));
            return tries.getLast().succeeded();
          });
      return new Accepted(tries.getLast().output(), tries.size() - 1);
    }

    private record Outcome(boolean succeeded, String output) {}

    private static Outcome run(String... args) throws IOException, InterruptedException {
      List<String> command = new ArrayList<>(List.of("etcdctl", "--endpoints=http://" + host(0) + ":2379",
          "--command-timeout=5s"));
      command.addAll(List.of(args));
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().put("ETCDCTL_API", "3");
      Process p = builder.start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new Outcome(p.waitFor() == 0, output);
    }
  }
}
