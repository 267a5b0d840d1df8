package dev.etcdoperator.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.etcdoperator.support.EtcdVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The etcd releases the build provides are here, answer with their own version, and are found by minor. */
class EtcdReleasesTest {
  private final EtcdReleases releases = EtcdReleases.available();

  @Test
  void theSystemEtcdAndEveryFetchedReleaseAreAvailable() {
    List<EtcdVersion> versions = releases.all().stream().map(EtcdReleases.Release::version).toList();
    assertThat(versions).containsAll(EtcdReleases.FETCHED).contains(version("3.4.23"));
    assertThat(releases.exactly("3.5.30").etcdutl()).as("3.5 ships etcdutl").isPresent();
    assertThat(releases.exactly("3.4.23").etcdutl()).as("3.4 restores with etcdctl").isEmpty();
  }

  @Test
  void aVersionNotHereRunsTheNewestPatchOfItsMinorAndAMissingMinorIsNamed() {
    assertThat(releases.closestTo(version("3.5.16"))).map(EtcdReleases.Release::version).contains(version("3.5.16"));
    assertThat(releases.closestTo(version("3.5.21"))).map(EtcdReleases.Release::version).contains(version("3.5.30"));
    assertThat(releases.closestTo(version("3.4.22"))).map(EtcdReleases.Release::version).contains(version("3.4.23"));
    assertThat(releases.closestTo(version("3.6.5"))).isEmpty();
    assertThatThrownBy(() -> releases.exactly("3.6.5")).hasMessageContaining("etcd 3.6.5 is not on this machine")
        .hasMessageContaining("scripts/fetch-etcd.sh");
  }

  @Test
  void componentTestsRunTheNewestPatchOfEachMinor() {
    assertThat(releases.newestOfEachMinor()).extracting(EtcdReleases.Release::version)
        .containsExactly(version("3.4.23"), version("3.5.30"));
  }

  private static EtcdVersion version(String text) {
    return EtcdVersion.parse(text).orElseThrow();
  }
}
