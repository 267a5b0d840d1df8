package dev.etcdoperator.restore;

import dev.etcdoperator.support.FileTree;
import dev.etcdoperator.etcd.SnapshotIntegrity;
import dev.etcdoperator.objectstore.ObjectStore;
import dev.etcdoperator.objectstore.ObjectStoreException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link RestoreCommand} inside a restore pod. A failure ends with one line saying why, which the pod's
 * termination message (FallbackToLogsOnError) carries to the operator and into the cluster's condition.
 */
public final class RestoreStep {
  /** Why a step failed follows this on its last log line, which the operator reads from the termination message. */
  public static final String FAILURE_MARK = "restore failed: ";
  private static final Logger LOG = LoggerFactory.getLogger(RestoreStep.class);

  private RestoreStep() {}

  /** Whether the entry point was asked for a restore step instead of the operator. */
  public static boolean isRestoreStep(String[] args) {
    return args.length > 0 && (args[0].equals(RestoreCommand.FETCH) || args[0].equals(RestoreCommand.COMMIT));
  }

  /** Runs the step the arguments name; returns the process exit code. */
  public static int run(String[] args) {
    try {
      switch (RestoreCommand.parse(List.of(args))) {
        case RestoreCommand.Fetch fetch -> fetch(fetch);
        case RestoreCommand.Commit commit -> commit(commit);
      }
      return 0;
    } catch (RestoreRefused | ObjectStoreException | IllegalArgumentException | UncheckedIOException e) {
      LOG.error(FAILURE_MARK + "{}", e.getMessage());
      return 1;
    }
  }

  /** The step cannot go on, said in words a user can act on. */
  static final class RestoreRefused extends RuntimeException {
    RestoreRefused(String message) {
      super(message);
    }
  }

  static void fetch(RestoreCommand.Fetch fetch) {
    if (Files.exists(committedMarker(fetch.dataDir()))) {
      // A restore pod made anew after this volume's restore was committed (pod garbage collection, a user's
      // cleanup): the snapshot is fetched again only so that the next steps run; commit leaves the data as it is.
      LOG.info("restore: {} holds a committed restore already", fetch.dataDir());
    } else {
      refuseIfHoldsData(fetch.dataDir());
    }
    String location = "s3://" + fetch.bucket() + "/" + fetch.key();
    Path staging = fetch.snapshot().getParent();
    // What an earlier, interrupted run of this pod left behind is never trusted.
    deleteRecursively(staging);
    createDirectories(staging);
    Path partial = staging.resolve(fetch.snapshot().getFileName() + ".part");
    ObjectStore.Settings settings = new ObjectStore.Settings(fetch.region(), fetch.endpoint().map(URI::create),
        fetch.pathStyle(), Optional.empty());
    LOG.info("restore: downloading {}", location);
    SnapshotIntegrity integrity;
    try (ObjectStore store = ObjectStore.connect(settings); OutputStream file = Files.newOutputStream(partial)) {
      integrity = new SnapshotIntegrity(file);
      store.download(fetch.bucket(), fetch.key(), integrity);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + partial + ": " + e.getMessage(), e);
    }
    try {
      integrity.verify();
    } catch (SnapshotIntegrity.SnapshotCorrupt e) {
      deleteRecursively(staging);
      throw new RestoreRefused("snapshot " + location + " is corrupt: " + e.getMessage() + "; refusing to restore it");
    }
    String sha256 = integrity.streamSha256();
    if (fetch.sha256().filter(expected -> !expected.equals(sha256)).isPresent()) {
      deleteRecursively(staging);
      throw new RestoreRefused("snapshot " + location + " is not the one recorded: its SHA-256 is " + sha256
          + ", expected " + fetch.sha256().get() + " (" + integrity.size() + " bytes read); refusing to restore it");
    }
    move(partial, fetch.snapshot());
    LOG.info("restore: {} bytes from {}, SHA-256 {}{}", integrity.size(), location, sha256,
        fetch.sha256().isPresent() ? " as recorded" : ", etcd's trailing hash intact");
  }

  static void commit(RestoreCommand.Commit commit) {
    boolean committed = Files.exists(committedMarker(commit.dataDir())) && holdsData(commit.dataDir());
    if (committed || (!Files.isDirectory(commit.restored()) && holdsData(commit.dataDir()))) {
      LOG.info("restore: {} already in place", commit.dataDir());
      deleteRecursively(commit.staging());
      return;
    }
    refuseIfHoldsData(commit.dataDir());
    if (!Files.isDirectory(commit.restored())) {
      throw new RestoreRefused("nothing to put in place: " + commit.restored() + " does not exist");
    }
    deleteRecursively(commit.dataDir()); // an empty directory at most, as checked above
    move(commit.restored(), commit.dataDir());
    sync(commit.dataDir().getParent());
    try {
      Files.writeString(committedMarker(commit.dataDir()), "restored\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + committedMarker(commit.dataDir()) + ": " + e.getMessage(), e);
    }
    sync(commit.dataDir().getParent());
    deleteRecursively(commit.staging());
    LOG.info("restore: data directory {} in place", commit.dataDir());
  }

  /** Beside the data directory: this volume's restore is in place (a later run must not refuse it as foreign data). */
  static Path committedMarker(Path dataDir) {
    return dataDir.resolveSibling(dataDir.getFileName() + ".restored");
  }

  /** A rename is durable once its directory is synced: a node crash must not undo a restore the pod reported done. */
  private static void sync(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot sync " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void refuseIfHoldsData(Path dataDir) {
    if (holdsData(dataDir)) {
      throw new RestoreRefused("the member volume already holds etcd data in " + dataDir
          + "; a restore never overwrites it (delete the volume claim to restore onto a fresh one)");
    }
  }

  private static boolean holdsData(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isPresent();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Atomic on one file system, so a crash leaves either the old or the new name, never half a directory. */
  private static void move(Path from, Path to) {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (DirectoryNotEmptyException e) {
      throw new RestoreRefused("cannot move " + from + " to " + to + ": the target is not empty");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move " + from + " to " + to + ": " + e.getMessage(), e);
    }
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try {
      FileTree.delete(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
    }
  }
}
