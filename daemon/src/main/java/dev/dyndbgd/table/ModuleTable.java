package dev.dyndbgd.table;

import dev.dyndbgd.memory.HeapSizes;
import dev.dyndbgd.site.ClassMap;
import dev.dyndbgd.site.Flags;
import dev.dyndbgd.site.SiteRecord;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Objects;

/**
 * One module's call sites: the hot heads (a flags byte and, if any site is classed, a class id per
 * site, indexed like the kernel's descriptor array) and a {@link BodyStore} holding the cold bodies under the same
 * indexes, plus the module's class maps.
 *
 * <p>Flags are written only by the {@link TableRegistry}'s writers (under its write lock) and read
 * without locks by enabled-checks; they are accessed with acquire/release semantics so a reader on
 * another thread sees a change as soon as the writer publishes it.
 */
public final class ModuleTable {
    private static final VarHandle FLAGS = MethodHandles.arrayElementVarHandle(byte[].class);

    private final String name;
    /**
     * The heads: flags at {@code i << shift}, and when {@code shift} is 1 the class id after them.
     * Most modules have no classed site, so their heads are one byte a site: every class id would
     * be the default. One array either way: one header per table.
     */
    private final byte[] heads;
    private final byte shift;
    private final BodyStore bodies;
    private final List<ClassMap> classMaps;
    /** Where else the flags are kept (a program's shared flags), or null. */
    private final FlagMirror mirror;
    /** Where the sites came from, in words: a module file, a program, the daemon itself. */
    private final String origin;
    private volatile boolean live = true;

    ModuleTable(String name, String origin, List<SiteRecord> sites, List<ClassMap> classMaps, BodyStore bodies, FlagMirror mirror) {
        this.name = name;
        this.origin = origin;
        this.mirror = mirror;
        boolean classed = sites.stream().anyMatch(r -> r.classId() != SiteRecord.CLASS_DEFAULT);
        this.shift = (byte) (classed ? 1 : 0);
        this.heads = new byte[sites.size() << shift];
        for (int i = 0; i < sites.size(); i++) {
            heads[i << shift] = (byte) sites.get(i).flags();
            if (classed) {
                heads[(i << 1) + 1] = (byte) sites.get(i).classId();
            }
        }
        this.bodies = bodies;
        this.classMaps = List.copyOf(classMaps);
        for (int i = 0; i < sites.size(); i++) {
            if ((heads[i << shift] & Flags.PRINT) != 0) {
                bodies.pin(i); // built with DEBUG: enabled from the start
            }
            if (mirror != null) {
                mirror.write(i, heads[i << shift] & 0xFF);
            }
        }
    }

    public String name() {
        return name;
    }


    public String origin() {
        return origin;
    }

    public int size() {
        return heads.length >> shift;
    }

    public int flags(int index) {
        return (byte) FLAGS.getAcquire(heads, index << shift) & 0xFF;
    }

    void setFlags(int index, int value) {
        int old = flags(index);
        FLAGS.setRelease(heads, index << shift, (byte) value);
        if (mirror != null) {
            mirror.write(index, value);
        }
        boolean wasOn = (old & Flags.PRINT) != 0;
        boolean isOn = (value & Flags.PRINT) != 0;
        if (isOn && !wasOn) {
            bodies.pin(index);
        } else if (wasOn && !isOn) {
            bodies.unpin(index);
        }
    }

    /**
     * Heap this table keeps apart from its bodies: the table object, the heads, its name and its slot
     * in the registry's list. Not its origin, which many tables may share (one per tree loaded): the
     * caller counts each distinct origin once. Class maps are left out: only a few modules have any.
     */
    public long heapBytes() {
        // Fields: six references, a boolean and a byte.
        return HeapSizes.object(6 * HeapSizes.REFERENCE + 2) + HeapSizes.bytes(heads.length) + HeapSizes.string(name)
                + HeapSizes.REFERENCE;
    }

    /** The body store, for statistics and reclaim. */
    public BodyStore bodies() {
        return bodies;
    }

    public int classId(int index) {
        if (shift == 0) {
            Objects.checkIndex(index, heads.length);
            return SiteRecord.CLASS_DEFAULT;
        }
        return heads[(index << 1) + 1];
    }

    public SiteBody body(int index) {
        return bodies.body(index);
    }

    /** Bodies of sites {@code from..to-1} in index order, each block decoded once. */
    public void forEachBody(int from, int to, BodyStore.BodyVisitor visitor) {
        bodies.forEach(from, to, visitor);
    }

    /**
     * {@link #forEachBody}, leaving out (some) sites whose format cannot contain {@code formatText}
     * or that lack the names hashed in {@code names} (see {@link BodyStore#forEachContaining}).
     */
    public void forEachBodyContaining(int from, int to, String formatText, long[] names, BodyStore.BodyVisitor visitor) {
        bodies.forEachContaining(from, to, formatText, names, visitor);
    }

    public List<ClassMap> classMaps() {
        return classMaps;
    }

    /** The class id a {@code class NAME} query selects here, or -1 if no map of this module declares it. */
    public int classIdOf(String className) {
        // Most recently attached map first, as the kernel walks its list.
        for (int i = classMaps.size() - 1; i >= 0; i--) {
            int id = classMaps.get(i).idOf(className);
            if (id >= 0) {
                return id;
            }
        }
        return -1;
    }

    /** The name of a class id for the control view, or null if no map covers it. */
    public String classNameOf(int classId) {
        for (int i = classMaps.size() - 1; i >= 0; i--) {
            String n = classMaps.get(i).nameOf(classId);
            if (n != null) {
                return n;
            }
        }
        return null;
    }

    void release() {
        live = false;
        bodies.release();
    }

    /** False once the table was removed; its bodies must not be read any more. */
    public boolean isLive() {
        return live;
    }

    @Override
    public String toString() {
        return name + "(" + size() + " sites)";
    }
}
