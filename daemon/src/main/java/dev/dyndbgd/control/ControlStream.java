package dev.dyndbgd.control;

import dev.dyndbgd.table.ModuleTable;
import dev.dyndbgd.table.SiteBody;
import dev.dyndbgd.table.TableRegistry;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The bytes of {@code control}, produced lazily a chunk of lines at a time, like the kernel's seq_file:
 * tables in load order, each table's sites from the last index down to the first.
 *
 * <p>The set of tables is the one registered when the stream was opened (a table removed since is
 * skipped). Each chunk is rendered under the registry's read lock, so a chunk never shows half of a
 * query batch and no line is ever torn. Memory is one chunk, whatever the number of sites.
 */
public final class ControlStream extends InputStream {
    /** Lines rendered per lock acquisition: small enough to keep writers waiting briefly. */
    private static final int LINES_PER_CHUNK = 64;

    private final TableRegistry registry;
    private final List<ModuleTable> tables;
    private final StringBuilder text = new StringBuilder(8192);
    private byte[] chunk;
    private int chunkPos;
    private int tableIndex;
    private int siteIndex; // next site to render in tables[tableIndex], counting down
    private boolean headerDone;
    private long position;

    public ControlStream(TableRegistry registry) {
        this.registry = registry;
        this.tables = registry.tables();
        this.tableIndex = 0;
        this.siteIndex = tables.isEmpty() ? -1 : tables.get(0).size() - 1;
        this.chunk = new byte[0];
    }

    /** The whole text at once, for tools and tests; readers of the mount stream instead. */
    public static String snapshot(TableRegistry registry) {
        ControlStream in = new ControlStream(registry);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf, 0, buf.length)) > 0) {
            out.write(buf, 0, n);
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        // Nothing held between reads: each chunk takes and releases the lock itself.
    }

    /** Bytes handed out so far. */
    public long position() {
        return position;
    }

    @Override
    public int read() {
        if (!fill()) {
            return -1;
        }
        position++;
        return chunk[chunkPos++] & 0xFF;
    }

    @Override
    public int read(byte[] dst, int off, int len) {
        if (len == 0) {
            return 0;
        }
        int copied = 0;
        while (copied < len && fill()) {
            int n = Math.min(len - copied, chunk.length - chunkPos);
            System.arraycopy(chunk, chunkPos, dst, off + copied, n);
            chunkPos += n;
            copied += n;
        }
        position += copied;
        return copied == 0 ? -1 : copied;
    }

    @Override
    public long skip(long n) {
        long skipped = 0;
        while (skipped < n && fill()) {
            int step = (int) Math.min(n - skipped, chunk.length - chunkPos);
            chunkPos += step;
            skipped += step;
        }
        position += skipped;
        return skipped;
    }

    /** Makes sure unread bytes are buffered; false at the end. */
    private boolean fill() {
        while (chunkPos == chunk.length) {
            if (!renderChunk()) {
                return false;
            }
        }
        return true;
    }

    private boolean renderChunk() {
        text.setLength(0);
        if (!headerDone) {
            text.append(ControlFormat.HEADER);
            headerDone = true;
        }
        registry.readLock().lock();
        try {
            int lines = 0;
            while (lines < LINES_PER_CHUNK && tableIndex < tables.size()) {
                ModuleTable table = tables.get(tableIndex);
                if (siteIndex < 0 || !table.isLive()) {
                    nextTable();
                    continue;
                }
                // Sites siteIndex down to low, printed last index first; their bodies read in one scan.
                int low = Math.max(0, siteIndex - (LINES_PER_CHUNK - lines) + 1);
                SiteBody[] bodies = new SiteBody[siteIndex - low + 1];
                table.forEachBody(low, siteIndex + 1, (i, body) -> bodies[i - low] = body);
                for (int i = siteIndex; i >= low; i--) {
                    ControlFormat.appendLine(text, table, i, bodies[i - low]);
                }
                lines += siteIndex - low + 1;
                siteIndex = low - 1;
            }
        } finally {
            registry.readLock().unlock();
        }
        if (text.length() == 0) {
            return false;
        }
        chunk = text.toString().getBytes(StandardCharsets.ISO_8859_1);
        chunkPos = 0;
        return true;
    }

    private void nextTable() {
        tableIndex++;
        siteIndex = tableIndex < tables.size() ? tables.get(tableIndex).size() - 1 : -1;
    }
}
