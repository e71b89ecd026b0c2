package dev.dyndbgd.state;

import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.query.QueryEngine.FlagChange;
import dev.dyndbgd.table.ModuleTable;
import dev.dyndbgd.table.TableRegistry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The user's flag changes, kept across restarts and crashes.
 *
 * <p>On disk it is one file: a header, then one checksummed line per site (see {@link
 * StateRecordCodec}); a later line for the same site wins. Each control write that changes flags
 * appends its lines with one write(2) before the writer is answered, so an acknowledged change is in
 * the kernel's page cache and survives a {@code kill -9} of the daemon; a background fsync once a
 * second bounds what a power cut can lose. When the appended history grows well past the live set
 * it is compacted: the live set is written to a temporary file, fsync'd and renamed over the old one,
 * so a crash at any moment leaves either the old or the new file, whole.
 *
 * <p>On start a damaged file is never trusted: a torn last line (a crash in mid-append) is dropped,
 * anything else damaged sets the whole file aside (renamed {@code *.corrupt-<time>}) and starts empty,
 * with an error in the log.
 */
public final class StateStore implements AutoCloseable {
    private static final long COMPACT_SLACK = 1 << 20;

    private final Path file;
    private final DyndbgLog log;
    /** module -> site -> flags: keyed by module first so a table without saved state costs one lookup. */
    private final Map<String, Map<SiteKey, Integer>> saved = new HashMap<>();
    private final ScheduledExecutorService syncer;
    private FileChannel out;
    private long appendedBytes;
    private long liveBytes;
    private volatile boolean dirty;

    private StateStore(Path file, DyndbgLog log) {
        this.file = file;
        this.log = log;
        this.syncer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "state-fsync");
            t.setDaemon(true);
            return t;
        });
    }

    /** Loads the saved state (setting a damaged file aside) and opens it for appending. */
    public static StateStore open(Path file, DyndbgLog log) throws IOException {
        StateStore s = new StateStore(file, log);
        Files.createDirectories(file.toAbsolutePath().getParent());
        s.load();
        s.compact();
        s.syncer.scheduleWithFixedDelay(s::syncQuietly, 1, 1, TimeUnit.SECONDS);
        return s;
    }

    public synchronized int size() {
        int n = 0;
        for (Map<SiteKey, Integer> m : saved.values()) {
            n += m.size();
        }
        return n;
    }

    /** The saved flags of one site, or -1. */
    public synchronized int flagsOf(SiteKey key) {
        Map<SiteKey, Integer> m = saved.get(key.module());
        Integer f = m == null ? null : m.get(key);
        return f == null ? -1 : f;
    }

    /**
     * Records a batch's changes; called under the registry's write lock, before the writer is answered.
     * If the file cannot take them, it is cut back to its length before the batch (so it holds exactly
     * the changes acknowledged so far), the batch is forgotten here too, and {@link StateSaveException}
     * tells the caller to undo it.
     */
    public synchronized void record(List<FlagChange> changes) {
        StringBuilder lines = new StringBuilder(changes.size() * 96);
        Map<SiteKey, Integer> before = new HashMap<>();
        for (FlagChange c : changes) {
            SiteKey key = SiteKey.of(c.table(), c.index());
            Map<SiteKey, Integer> m = saved.computeIfAbsent(key.module(), k -> new HashMap<>());
            Integer previous = m.put(key, c.newFlags());
            before.putIfAbsent(key, previous == null ? -1 : previous);
            lines.append(StateRecordCodec.encode(key, c.newFlags()));
        }
        try {
            appendWhole(lines.toString());
        } catch (IOException e) {
            before.forEach((key, flags) -> {
                if (flags < 0) {
                    saved.get(key.module()).remove(key);
                } else {
                    saved.get(key.module()).put(key, flags);
                }
            });
            String why = "cannot save state to " + file + ": " + e.getMessage();
            log.error(why + "; the batch was undone and the file kept as it was");
            throw new StateSaveException(why, e);
        }
        if (appendedBytes > 4 * liveBytes + COMPACT_SLACK) {
            try {
                compact();
            } catch (IOException e) {
                // The appended file is complete and valid; compaction is only a space saving.
                log.error("cannot compact state file " + file + ": " + e.getMessage() + " (the file as appended is kept)");
            }
        }
    }

    /** Appends all of {@code lines} or nothing: a partial write (full disk) is cut off again. */
    private void appendWhole(String lines) throws IOException {
        long length = out.size();
        try {
            append(lines);
        } catch (IOException e) {
            try {
                out.truncate(length);
            } catch (IOException cut) {
                e.addSuppressed(cut);
            }
            throw e;
        }
    }

    /** Puts a newly added table's sites back to their saved flags; caller holds the registry's write lock. */
    public synchronized int restore(ModuleTable table, TableRegistry registry) {
        Map<SiteKey, Integer> m = saved.get(table.name());
        if (m == null) {
            return 0;
        }
        int restored = 0;
        for (int i = 0; i < table.size(); i++) {
            Integer f = m.get(SiteKey.of(table, i));
            if (f != null && f != table.flags(i)) {
                registry.setFlags(table, i, f);
                restored++;
            }
        }
        return restored;
    }

    private void load() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        String problem = null;
        Map<String, Map<SiteKey, Integer>> loaded = new HashMap<>();
        int start = 0;
        int lineNo = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            boolean last = nl < 0;
            String line = last ? text.substring(start) : text.substring(start, nl);
            lineNo++;
            start = last ? text.length() : nl + 1;
            if (lineNo == 1) {
                if (!line.equals(StateRecordCodec.HEADER)) {
                    problem = "not a dyndbgd state file (bad header)";
                    break;
                }
                continue;
            }
            StateRecordCodec.Decoded d = last ? null : StateRecordCodec.decode(line);
            if (d == null) {
                if (start >= text.length()) {
                    log.warn("state file " + file + ": dropping a torn last line (" + line.length() + " bytes), left by a crash");
                    break;
                }
                problem = "damaged line " + lineNo;
                break;
            }
            loaded.computeIfAbsent(d.key().module(), k -> new HashMap<>()).put(d.key(), d.flags());
        }
        if (problem != null) {
            Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + System.currentTimeMillis());
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
            log.error("state file " + file + " is corrupt (" + problem + "): set aside as " + aside + ", starting with no saved flags");
            return;
        }
        saved.putAll(loaded);
    }

    /** Rewrites the live set to a new file and swaps it in atomically. */
    private void compact() throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        StringBuilder text = new StringBuilder(StateRecordCodec.HEADER).append('\n');
        for (Map<SiteKey, Integer> m : saved.values()) {
            for (Map.Entry<SiteKey, Integer> e : m.entrySet()) {
                text.append(StateRecordCodec.encode(e.getKey(), e.getValue()));
            }
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.ISO_8859_1);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, bytes);
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(tmp); // a half-written copy must not take space from the appends
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory();
        if (out != null) {
            out.close(); // it still points at the replaced file; appends go to the new one from here
        }
        out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        liveBytes = bytes.length;
        appendedBytes = 0;
    }

    private void append(String lines) throws IOException {
        byte[] bytes = lines.getBytes(StandardCharsets.ISO_8859_1);
        writeFully(out, bytes);
        appendedBytes += bytes.length;
        dirty = true;
    }

    private static void writeFully(FileChannel ch, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private void syncDirectory() {
        try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some file systems refuse fsync on a directory; the rename itself is still atomic.
        }
    }

    private synchronized void syncQuietly() {
        if (!dirty || out == null) {
            return;
        }
        try {
            out.force(false);
            dirty = false;
        } catch (IOException e) {
            log.error("cannot fsync state file " + file + ": " + e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        syncer.shutdownNow();
        syncQuietly();
        try {
            if (out != null) {
                out.close();
            }
        } catch (IOException e) {
            log.error("closing state file " + file + ": " + e.getMessage());
        }
        out = null;
    }
}
