package dev.dyndbgd.bench;

import dev.dyndbgd.body.BodyStores;
import dev.dyndbgd.body.PooledBodies;
import dev.dyndbgd.elf.KernelModuleReader;
import dev.dyndbgd.elf.ModuleFileFinder;
import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.site.ModuleImage;
import dev.dyndbgd.site.Flags;
import dev.dyndbgd.table.BodyStore;
import dev.dyndbgd.table.ModuleTable;
import dev.dyndbgd.table.HeapBodyStore;
import dev.dyndbgd.table.TableRegistry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The real module set read once, then put in registries with different body stores. */
final class LoadedSets {
    private LoadedSets() {
    }

    /** Every module image of the tree (with sites), in load order. */
    static List<ModuleImage> images(Path tree) throws IOException {
        List<ModuleImage> out = new ArrayList<>();
        String origin = "module files under " + tree; // as the daemon's loader names them: one string for the tree
        for (Path f : ModuleFileFinder.find(tree)) {
            ModuleImage m = KernelModuleReader.read(f);
            if (!m.sites().isEmpty()) {
                out.add(m.withOrigin(origin));
            }
        }
        return out;
    }

    /** {@code copies} renamed copies of the set (module names suffixed), the way the tenfold check grows it. */
    static List<ModuleImage> multiplied(List<ModuleImage> images, int copies) {
        List<ModuleImage> out = new ArrayList<>(images.size() * copies);
        for (int c = 0; c < copies; c++) {
            for (ModuleImage m : images) {
                out.add(c == 0 ? m : new ModuleImage(m.name() + "_copy" + c, m.sites(), m.classMaps(), m.origin()));
            }
        }
        return out;
    }

    static TableRegistry heap(List<ModuleImage> images) {
        return fill(HeapBodyStore.factory(), images);
    }

    /** Pooled bodies with the daemon's default codec and dictionary, trained after the load as at start-up. */
    static TableRegistry pooled(List<ModuleImage> images, String codec, PooledBodies[] out) {
        return pooled(images, codec, PooledBodies.DEFAULT_SITES_PER_BLOCK, out);
    }

    static TableRegistry pooled(List<ModuleImage> images, String codec, int sitesPerBlock, PooledBodies[] out) {
        PooledBodies bodies = BodyStores.pooled(codec, sitesPerBlock);
        TableRegistry r = fill(bodies, images);
        bodies.trainDictionary(16 * 1024);
        bodies.releaseWorkingMemory();
        out[0] = bodies;
        return r;
    }

    private static TableRegistry fill(BodyStore.Factory factory, List<ModuleImage> images) {
        TableRegistry r = new TableRegistry(factory, new DyndbgLog(0));
        for (ModuleImage m : images) {
            r.add(m);
        }
        return r;
    }

    /** Every disabled site of a registry, as parallel arrays: a map of one of them really decompresses. */
    record DisabledSites(ModuleTable[] tables, int[] indexes) {
        int size() {
            return indexes.length;
        }
    }

    static DisabledSites disabledSites(TableRegistry registry) {
        List<ModuleTable> tables = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        for (ModuleTable t : registry.tables()) {
            for (int i = 0; i < t.size(); i++) {
                if ((t.flags(i) & Flags.PRINT) == 0) { // enabled sites are kept mapped: they would not decompress
                    tables.add(t);
                    indexes.add(i);
                }
            }
        }
        return new DisabledSites(tables.toArray(ModuleTable[]::new), indexes.stream().mapToInt(Integer::intValue).toArray());
    }
}
