package dev.dyndbgd.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything the daemon is told at start, from the config file and then the command line.
 *
 * @param mountPoint         where control appears
 * @param loadPaths          module files or trees to load (empty: the running kernel's tree)
 * @param allowOther         let other users read the mount
 * @param defaultPermissions let the kernel enforce modes (non-root users may read, not write)
 * @param verbose            dyndbg verbose level 0..4
 * @param stateFile          where flag changes are kept across restarts
 * @param bootQueries        {@code dyndbg = "..."}: applied once at start, after the first load
 * @param moduleQueries      {@code foo.dyndbg = "..."}: applied whenever module foo is added
 * @param codec              how bodies are compressed in the pool: zstd, lz4, lz4hc or none
 * @param dictionarySize     size of the zstd dictionary trained on the first load (0: none)
 * @param memoryBudget       pool bytes above which memory is reclaimed (0: no budget)
 * @param blockSites         sites per compressed block: larger saves memory, smaller maps faster
 * @param socket             where programs and dyndbgctl reach the daemon (docs/protocol.md)
 */
public record DaemonConfig(Path mountPoint, List<Path> loadPaths, boolean allowOther, boolean defaultPermissions,
                           int verbose, Path stateFile, List<String> bootQueries, Map<String, List<String>> moduleQueries,
                           String codec, int dictionarySize, long memoryBudget, int blockSites, Path socket) {
    public static final List<String> CODECS = List.of("zstd", "lz4dict", "lz4", "lz4hc", "none");
    public static final Path DEFAULT_FILE = Path.of("/etc/dyndbgd/dyndbgd.conf");

    public DaemonConfig {
        loadPaths = List.copyOf(loadPaths);
        bootQueries = List.copyOf(bootQueries);
        moduleQueries = Map.copyOf(moduleQueries);
    }

    public static DaemonConfig defaults() {
        return new DaemonConfig(Path.of("/mnt/dyndbg"), List.of(), true, true, 0, Path.of("/var/lib/dyndbgd/state"),
                List.of(), Map.of(), "zstd", 16 * 1024, 0, 32, Path.of(dev.dyndbgd.client.protocol.Protocol.DEFAULT_SOCKET));
    }

    /** The same configuration with another codec (the command line's --codec). */
    public DaemonConfig withCodec(String name) {
        return new DaemonConfig(mountPoint, loadPaths, allowOther, defaultPermissions, verbose, stateFile, bootQueries,
                moduleQueries, name, dictionarySize, memoryBudget, blockSites, socket);
    }
}
