package dev.dyndbgd.selfdebug;

import dev.dyndbgd.client.DynamicDebug;
import dev.dyndbgd.client.scan.ScannedSite;
import dev.dyndbgd.site.ModuleImage;
import dev.dyndbgd.site.SiteRecord;
import dev.dyndbgd.table.FlagMirror;
import dev.dyndbgd.table.ModuleTable;
import dev.dyndbgd.table.TableRegistry;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The daemon's own debug statements, module {@value #NAME}, written with the same client library
 * every program uses: declare {@code static final DebugSite X = SelfModule.DEBUG.site("...")} and
 * print with {@code X.printf(...)}. The module is hosted in process: {@link #register} adds its table
 * and attaches the flags, so {@code echo 'module dyndbgd +p' > control} turns them on at once.
 */
public final class SelfModule {
    public static final String NAME = "dyndbgd";
    public static final DynamicDebug DEBUG = DynamicDebug.inProcess(NAME);

    private SelfModule() {
    }

    /** A flags mirror in plain direct memory, read by the statements through the library. */
    private static final class DirectFlags implements FlagMirror {
        final ByteBuffer bytes;

        DirectFlags(int sites) {
            bytes = ByteBuffer.allocateDirect(Math.max(1, sites));
        }

        @Override
        public void write(int index, int flags) {
            bytes.put(index, (byte) flags);
        }
    }

    /** Adds module {@value #NAME} (its statements as the scan of the daemon's classes found them). */
    public static ModuleTable register(TableRegistry registry) {
        List<ScannedSite> scanned = DEBUG.table();
        List<SiteRecord> sites = new ArrayList<>(scanned.size());
        for (ScannedSite s : scanned) {
            sites.add(SiteRecord.of(s.file(), s.function(), s.format(), Math.min(s.line(), SiteRecord.MAX_LINE)));
        }
        DirectFlags flags = new DirectFlags(sites.size());
        ModuleTable table = registry.add(new ModuleImage(NAME, sites, List.of(), "the daemon itself"), flags)
                .orElseThrow(() -> new IllegalStateException("no debug statements found in the daemon's classes"));
        DEBUG.attach(flags.bytes.asReadOnlyBuffer());
        return table;
    }
}
