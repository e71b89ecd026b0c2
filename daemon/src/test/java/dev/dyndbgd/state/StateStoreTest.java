package dev.dyndbgd.state;

import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.query.QueryEngine;
import dev.dyndbgd.site.ModuleImage;
import dev.dyndbgd.site.SiteRecord;
import dev.dyndbgd.table.HeapBodyStore;
import dev.dyndbgd.table.ModuleTable;
import dev.dyndbgd.table.TableRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StateStoreTest {
    @TempDir
    Path dir;

    private final DyndbgLog log = new DyndbgLog(0);
    private final List<String> logged = new ArrayList<>();

    { log.addLineListener(logged::add); }

    private static ModuleImage image() {
        return new ModuleImage("m", List.of(SiteRecord.of("a.c", "f", "tab\there\n", 1), SiteRecord.of("a.c", "g", "x", 2)), List.of());
    }

    /** A registry + engine whose control writes go to the store, and whose adds restore from it. */
    private record Rig(TableRegistry registry, QueryEngine engine) {
    }

    private Rig rig(StateStore store) {
        TableRegistry registry = new TableRegistry(HeapBodyStore.factory(), log);
        QueryEngine engine = new QueryEngine(registry, log);
        engine.onBatch((origin, changes) -> store.record(changes));
        registry.onAdd(t -> store.restore(t, registry));
        return new Rig(registry, engine);
    }

    @Test
    void changesSurviveReopenAndReload() throws Exception {
        Path file = dir.resolve("state");
        try (StateStore s = StateStore.open(file, log)) {
            Rig r = rig(s);
            r.registry().add(image());
            r.engine().write("func f +pmf; func g +t; func g -t");
        }
        try (StateStore s = StateStore.open(file, log)) {
            assertEquals(2, s.size());
            Rig r = rig(s);
            ModuleTable t = r.registry().add(image()).orElseThrow();
            assertEquals(0b111, t.flags(0));
            assertEquals(0, t.flags(1));
        }
    }

    @Test
    void tornLastLineIsDroppedAndTheRestKept() throws Exception {
        Path file = dir.resolve("state");
        try (StateStore s = StateStore.open(file, log)) {
            Rig r = rig(s);
            r.registry().add(image());
            r.engine().write("func f +p");
        }
        Files.writeString(file, Files.readString(file) + "0badc0de\tp\tm\t2\ta.c\tg", java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
        try (StateStore s = StateStore.open(file, log)) {
            assertEquals(1, s.size());
            assertTrue(logged.stream().anyMatch(l -> l.contains("torn last line")), logged.toString());
        }
    }

    @Test
    void damagedMiddleLineSetsTheFileAside() throws Exception {
        Path file = dir.resolve("state");
        Files.writeString(file, StateRecordCodec.HEADER + "\n" + "00000000\tp\tm\t1\ta.c\tf\tx\n"
                + StateRecordCodec.encode(new SiteKey("m", "a.c", "g", 2, "x"), 1));
        try (StateStore s = StateStore.open(file, log)) {
            assertEquals(0, s.size());
        }
        try (var files = Files.list(dir)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("state.corrupt-")));
        }
        assertTrue(logged.stream().anyMatch(l -> l.contains("is corrupt (damaged line 2)")), logged.toString());
    }

    @Test
    void appendedHistoryIsCompacted() throws Exception {
        Path file = dir.resolve("state");
        try (StateStore s = StateStore.open(file, log)) {
            Rig r = rig(s);
            r.registry().add(image());
            for (int i = 0; i < 20000; i++) {
                r.engine().write(i % 2 == 0 ? "func f +p" : "func f -p");
            }
        }
        assertTrue(Files.size(file) < 2 << 20, "compaction keeps the file near the live set: " + Files.size(file));
        try (StateStore s = StateStore.open(file, log)) {
            assertEquals(0, s.flagsOf(new SiteKey("m", "a.c", "f", 1, "tab\there\n")));
        }
    }

    @Test
    void codecRoundTripsAwkwardStrings() {
        SiteKey k = new SiteKey("m", "dir/a b.c", "f\\g", 7, "a\tb\r\nc\\n");
        StateRecordCodec.Decoded d = StateRecordCodec.decode(StateRecordCodec.encode(k, 0b101).stripTrailing());
        assertEquals(k, d.key());
        assertEquals(0b101, d.flags());
    }
}
