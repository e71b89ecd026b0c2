package dev.dyndbgd.reclaim;

import dev.dyndbgd.body.BodyStores;
import dev.dyndbgd.body.PooledBodies;
import dev.dyndbgd.control.ControlReader;
import dev.dyndbgd.control.ControlSnapshots;
import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.site.ModuleImage;
import dev.dyndbgd.site.SiteRecord;
import dev.dyndbgd.table.TableRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A pooled registry with a control cache and a reclaimer, as the mounted daemon wires them. */
final class ReclaimSetup implements AutoCloseable {
    final DyndbgLog log = new DyndbgLog(0);
    final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
    final PooledBodies bodies = BodyStores.pooled("zstd");
    final TableRegistry registry = new TableRegistry(bodies, log);
    final ControlSnapshots snapshots = new ControlSnapshots(registry);
    final Reclaimer reclaimer;

    ReclaimSetup(long budgetBytes) {
        log.addLineListener(lines::add);
        reclaimer = new Reclaimer(bodies, snapshots, log, budgetBytes);
        registry.onAdd(t -> reclaimer.checkBudget());
    }

    /** A module of {@code n} sites with text that does not repeat much (so it takes real pool space). */
    static ModuleImage module(String name, int n) {
        Random rnd = new Random(name.hashCode());
        List<SiteRecord> sites = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            sites.add(new SiteRecord("drivers/" + name + "/part" + (i / 10) + ".c", name + "_fn" + (i / 4),
                    name + ": event " + Long.toHexString(rnd.nextLong()) + " state %d\n", 100 + 3 * i, SiteRecord.CLASS_DEFAULT, 0));
        }
        return new ModuleImage(name, sites, List.of());
    }

    /** Reads control to the end, which leaves the rendered text cached. */
    void readControl() {
        ControlReader r = snapshots.open();
        byte[] buf = new byte[65536];
        long offset = 0;
        int n;
        while ((n = r.read(offset, buf)) > 0) {
            offset += n;
        }
    }

    long reclaims() {
        return lines.stream().filter(l -> l.contains("reclaim: compacted")).count();
    }

    @Override
    public void close() {
        snapshots.close();
        bodies.close();
    }
}
