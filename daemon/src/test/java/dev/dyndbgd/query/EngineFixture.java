package dev.dyndbgd.query;

import dev.dyndbgd.control.ControlStream;
import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.site.ClassMap;
import dev.dyndbgd.site.ModuleImage;
import dev.dyndbgd.site.SiteRecord;
import dev.dyndbgd.table.HeapBodyStore;
import dev.dyndbgd.table.TableRegistry;

import java.util.ArrayList;
import java.util.List;

/** A registry with a few small modules modelled on real ones, its engine, and the log lines it wrote. */
public final class EngineFixture {
    public final DyndbgLog log = new DyndbgLog(0);
    public final TableRegistry registry = new TableRegistry(HeapBodyStore.factory(), log);
    public final QueryEngine engine = new QueryEngine(registry, log);
    public final List<String> logLines = new ArrayList<>();

    public EngineFixture() {
        log.addLineListener(logLines::add);
    }

    /** params (4 sites, like kernel/params.c), usbcore (3), test_dd (unclassed + classed). */
    public static EngineFixture standard() {
        EngineFixture f = new EngineFixture();
        f.registry.add(new ModuleImage("params", List.of(
                SiteRecord.of("kernel/params.c", "parse_one", "handling %s with %p\n", 140),
                SiteRecord.of("kernel/params.c", "parse_one", "doing %s: %s='%s'\n", 160),
                SiteRecord.of("kernel/params.c", "parse_one", "Unknown argument '%s'\n", 184),
                SiteRecord.of("kernel/params.c", "parse_args", "doing %s, parsing ARGS: '%s'\n", 218)), List.of()));
        f.registry.add(new ModuleImage("usbcore", List.of(
                SiteRecord.of("drivers/usb/core/hub.c", "hub_event", "state %d ports %d chg %04x evt %04x\n", 5634),
                SiteRecord.of("drivers/usb/core/hub.c", "usb_port_resume", "%s: \"resume\"\tstatus %d\r\n", 3752),
                SiteRecord.of("drivers/usb/core/message.c", "usb_start_wait_urb", "timed out on ep%d%s len=%u/%u\n", 65)),
                List.of()));
        f.registry.add(new ModuleImage("test_dynamic_debug", List.of(
                SiteRecord.of("lib/test_dynamic_debug.c", "do_cats", "doing categories\n", 103),
                new SiteRecord("lib/test_dynamic_debug.c", "do_cats", "LOW msg\n", 105, 11, 0),
                new SiteRecord("lib/test_dynamic_debug.c", "do_cats", "MID msg\n", 106, 12, 0),
                new SiteRecord("lib/test_dynamic_debug.c", "do_cats", "HI msg\n", 107, 13, 0),
                new SiteRecord("lib/test_dynamic_debug.c", "do_cats", "D2_CORE msg\n", 109, 0, 0)),
                List.of(new ClassMap("test_dynamic_debug", List.of("LOW", "MID", "HI"), 10, ClassMap.Type.DISJOINT_NAMES),
                        new ClassMap("test_dynamic_debug", List.of("D2_CORE", "D2_DRIVER"), 0, ClassMap.Type.DISJOINT_BITS))));
        return f;
    }

    public String control() {
        return ControlStream.snapshot(registry);
    }

    /** The control lines (without header) that contain the given text. */
    public List<String> lines(String containing) {
        return control().lines().filter(l -> !l.startsWith("#") && l.contains(containing)).toList();
    }

    public long count(String flagsField) {
        return control().lines().filter(l -> l.contains(" " + flagsField + " ")).count();
    }
}
