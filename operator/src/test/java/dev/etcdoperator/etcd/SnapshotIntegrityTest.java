package dev.etcdoperator.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** etcd's snapshot stream ends with the SHA-256 of the database; the check passes it through and verifies it. */
class SnapshotIntegrityTest {
  private static final byte[] DATABASE = new Random(7).ints(100_000, 0, 256).collect(ByteArrayOutputStream::new,
      ByteArrayOutputStream::write, (a, b) -> a.write(b.toByteArray(), 0, b.size())).toByteArray();

  @ParameterizedTest(name = "written in chunks of {0} bytes")
  @ValueSource(ints = {1, 7, 31, 32, 33, 4096, 1 << 20})
  void aWholeStreamPassesUnchangedWhateverTheChunks(int chunk) throws Exception {
    byte[] stream = withTrailer(DATABASE);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SnapshotIntegrity integrity = new SnapshotIntegrity(out);
    writeInChunks(integrity, stream, chunk);

    integrity.verify();
    assertThat(out.toByteArray()).as("the object keeps etcd's stream, trailer included").isEqualTo(stream);
  }

  @Test
  void oneChangedByteIsCaught() throws Exception {
    byte[] stream = withTrailer(DATABASE);
    stream[50_000] ^= 1;
    SnapshotIntegrity integrity = new SnapshotIntegrity(new ByteArrayOutputStream());
    writeInChunks(integrity, stream, 1000);

    assertThatThrownBy(integrity::verify).isInstanceOf(SnapshotIntegrity.SnapshotCorrupt.class)
        .hasMessageContaining("does not match the 100000 bytes received")
        .hasMessageEndingWith("the stream was cut short or changed on the way");
  }

  @Test
  void aStreamCutShortIsCaught() throws Exception {
    byte[] stream = withTrailer(DATABASE);
    SnapshotIntegrity integrity = new SnapshotIntegrity(new ByteArrayOutputStream());
    writeInChunks(integrity, Arrays.copyOf(stream, 65_536), 4096);
    assertThatThrownBy(integrity::verify).isInstanceOf(SnapshotIntegrity.SnapshotCorrupt.class);

    SnapshotIntegrity tiny = new SnapshotIntegrity(new ByteArrayOutputStream());
    tiny.write(new byte[10]);
    assertThatThrownBy(tiny::verify).hasMessage("the snapshot stream ended after 10 bytes, too short to hold etcd's "
        + "trailing SHA-256");
  }

  private static byte[] withTrailer(byte[] database) throws Exception {
    byte[] hash = MessageDigest.getInstance("SHA-256").digest(database);
    byte[] stream = Arrays.copyOf(database, database.length + hash.length);
    System.arraycopy(hash, 0, stream, database.length, hash.length);
    return stream;
  }

  private static void writeInChunks(SnapshotIntegrity out, byte[] bytes, int chunk) throws IOException {
    for (int off = 0; off < bytes.length; off += chunk) {
      int len = Math.min(chunk, bytes.length - off);
      if (len == 1) {
        out.write(bytes[off]);
      } else {
        out.write(bytes, off, len);
      }
    }
  }
}
