package dev.etcdoperator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member's DNS name looked up before its pod had an address must resolve at the next look once the name is
 * there, not 10 s later (the JVM's default for a missing name). Each case runs in a JVM of its own with a hosts file
 * as its DNS, because a JVM reads these settings once.
 */
class PodAddressCachingTest {

  @Test
  void aNameLookedUpBeforeItWasPublishedResolvesAtTheNextLook(@TempDir Path dir) throws Exception {
    assertThat(secondLookup(dir, true)).isEqualTo("resolved " + PodAddressCachingProbe.ADDRESS);
  }

  @Test
  void withoutTheOperatorsSettingTheJvmKeepsTheMissingName(@TempDir Path dir) throws Exception {
    // What the operator ran into before: the same JVM, the JDK's defaults.
    assertThat(secondLookup(dir, false)).isEqualTo("unresolved");
  }

  @Test
  void aNegativeTtlGivenOnTheCommandLineIsKept(@TempDir Path dir) throws Exception {
    assertThat(secondLookup(dir, true, "-Dsun.net.inetaddr.negative.ttl=10")).isEqualTo("unresolved");
  }

  private static String secondLookup(Path dir, boolean apply, String... jvmFlags)
      throws IOException, InterruptedException {
    Path hosts = Files.writeString(dir.resolve("hosts"), "127.0.0.1 localhost\n");
    Path answer = dir.resolve("answer");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djdk.net.hosts.file=" + hosts, "-cp", System.getProperty("java.class.path")));
    command.addAll(List.of(jvmFlags));
    command.addAll(List.of(PodAddressCachingProbe.class.getName(), hosts.toString(), answer.toString(),
        apply ? "apply" : "jdk"));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the probe JVM finished").isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(answer).as("the probe's answer; its output:%n%s", output).exists();
    return Files.readString(answer);
  }
}
