package dev.dyndbgd.mount;

import dev.dyndbgd.body.PoolReports;
import dev.dyndbgd.control.ControlSnapshots;
import dev.dyndbgd.daemon.Daemon;
import dev.dyndbgd.fuse.VirtualDirectory;
import dev.dyndbgd.reclaim.Reclaimer;

import java.util.List;

/**
 * What the mount shows, laid out like debugfs and zram:
 * <pre>
 * control              the dyndbg control file
 * verbose              the dyndbg verbose level (0..4), read and set like the kernel's module parameter
 * stats                human-readable memory and site counts
 * zsmalloc/classes     the pool's size classes in the kernel's debugfs format
 * zsmalloc/mm_stat     zram's mm_stat columns for the pool
 * zsmalloc/compact     write anything: drop cached copies and compact the pool
 * </pre>
 */
public final class MountTree {
    private MountTree() {
    }

    public static VirtualDirectory build(Daemon daemon, ControlSnapshots snapshots, Reclaimer reclaimer, long budget) {
        var bodies = daemon.bodies();
        VirtualDirectory zsmalloc = VirtualDirectory.of("zsmalloc", List.of(
                TextFile.generated("classes", () -> bodies.pool().classesText()),
                TextFile.generated("mm_stat", () -> PoolReports.mmStat(bodies, budget)),
                new TriggerFile("compact", () -> reclaimer.reclaim("written to zsmalloc/compact"))));
        return VirtualDirectory.of("", List.of(
                new ControlFile(snapshots, daemon.engine()),
                new VerboseFile(daemon.log()),
                TextFile.generated("stats", () -> PoolReports.stats(daemon.registry(), bodies, snapshots.cachedBytes())),
                zsmalloc));
    }
}
