package dev.etcdoperator.etcd;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Passes etcd's snapshot stream through unchanged and checks its end: etcd appends the SHA-256 of the database to
 * the stream, so the last 32 bytes must be the hash of everything before them. Every etcd snapshot therefore proves
 * its own integrity: a backup checks the stream as it arrives from etcd (one cut short or changed on the way fails
 * {@link #verify} instead of becoming a backup only a restore would find broken), and a restore checks the object as
 * it arrives from the store, whoever wrote it. The same pass gives the SHA-256 of the whole stream (what
 * EtcdBackup's status records): a copy of the digest's state takes the trailing bytes on, so no byte is hashed twice.
 */
public final class SnapshotIntegrity extends FilterOutputStream {
  public static final int HASH_LENGTH = 32;

  private final MessageDigest digest;
  // The last bytes seen; they join the digest once later bytes show they are not the trailing hash.
  private final byte[] tail = new byte[HASH_LENGTH];
  private int tailLength;
  private long total;
  private String streamSha256;

  public SnapshotIntegrity(OutputStream out) {
    super(out);
    try {
      this.digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    total += len;
    if (len >= HASH_LENGTH) {
      digest.update(tail, 0, tailLength);
      digest.update(b, off, len - HASH_LENGTH);
      System.arraycopy(b, off + len - HASH_LENGTH, tail, 0, HASH_LENGTH);
      tailLength = HASH_LENGTH;
      return;
    }
    int overflow = Math.max(0, tailLength + len - HASH_LENGTH);
    digest.update(tail, 0, overflow);
    System.arraycopy(tail, overflow, tail, 0, tailLength - overflow);
    tailLength -= overflow;
    System.arraycopy(b, off, tail, tailLength, len);
    tailLength += len;
  }

  /** Throws unless the stream ended with the SHA-256 of the database before it. */
  public void verify() {
    if (tailLength < HASH_LENGTH) {
      throw new SnapshotCorrupt("the snapshot stream ended after " + total + " bytes, too short to hold etcd's "
          + "trailing SHA-256");
    }
    MessageDigest whole;
    try {
      whole = (MessageDigest) digest.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("the JDK's SHA-256 can be cloned", e);
    }
    whole.update(tail);
    byte[] computed = digest.digest();
    if (!MessageDigest.isEqual(computed, tail)) {
      throw new SnapshotCorrupt("the snapshot stream's trailing SHA-256 " + HexFormat.of().formatHex(tail)
          + " does not match the " + (total - HASH_LENGTH) + " bytes received (" + HexFormat.of().formatHex(computed)
          + "): the stream was cut short or changed on the way");
    }
    streamSha256 = HexFormat.of().formatHex(whole.digest());
  }

  /** The SHA-256 (hex) of the whole stream, trailing hash included; known once {@link #verify} passed. */
  public String streamSha256() {
    if (streamSha256 == null) {
      throw new IllegalStateException("the stream is not verified");
    }
    return streamSha256;
  }

  /** Bytes passed through. */
  public long size() {
    return total;
  }

  /** etcd's snapshot stream does not carry the hash of its own content. */
  public static final class SnapshotCorrupt extends RuntimeException {
    SnapshotCorrupt(String message) {
      super(message);
    }
  }
}
