package dev.dyndbgd.control;

import dev.dyndbgd.query.EngineFixture;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ControlFormatTest {
    /**
     * The fixture's test_dynamic_debug copies the kernel test module's map skew (names LOW MID HI at
     * base 10, sites at ids 11..13), so the last lines must read exactly as the kernel's own output
     * quoted in the spec, section 3.2.
     */
    @Test
    void bytesMatchTheKernelLayout() {
        EngineFixture f = EngineFixture.standard();
        f.engine.write("module params func parse_args +pmfslt; module usbcore line 3752 +sl; class MID +p");
        String expected = """
                # filename:lineno [module]function flags format
                kernel/params.c:218 [params]parse_args =pmfslt "doing %s, parsing ARGS: '%s'\\n"
                kernel/params.c:184 [params]parse_one =_ "Unknown argument '%s'\\n"
                kernel/params.c:160 [params]parse_one =_ "doing %s: %s='%s'\\n"
                kernel/params.c:140 [params]parse_one =_ "handling %s with %p\\n"
                drivers/usb/core/message.c:65 [usbcore]usb_start_wait_urb =_ "timed out on ep%d%s len=%u/%u\\n"
                drivers/usb/core/hub.c:3752 [usbcore]usb_port_resume =sl "%s: "resume"\\tstatus %d\\r\\n"
                drivers/usb/core/hub.c:5634 [usbcore]hub_event =_ "state %d ports %d chg %04x evt %04x\\n"
                lib/test_dynamic_debug.c:109 [test_dynamic_debug]do_cats =_ "D2_CORE msg\\n" class:D2_CORE
                lib/test_dynamic_debug.c:107 [test_dynamic_debug]do_cats =_ "HI msg\\n" class unknown, _id:13
                lib/test_dynamic_debug.c:106 [test_dynamic_debug]do_cats =_ "MID msg\\n" class:HI
                lib/test_dynamic_debug.c:105 [test_dynamic_debug]do_cats =p "LOW msg\\n" class:MID
                lib/test_dynamic_debug.c:103 [test_dynamic_debug]do_cats =_ "doing categories\\n"
                """;
        assertEquals(expected, f.control());
    }

    @Test
    void unknownClassIdAndRemovedTables() {
        EngineFixture f = EngineFixture.standard();
        f.registry.add(new dev.dyndbgd.site.ModuleImage("orphan",
                List.of(new dev.dyndbgd.site.SiteRecord("o.c", "f", "x", 1, 13, 1)), List.of()));
        assertEquals(List.of("o.c:1 [orphan]f =p \"x\" class unknown, _id:13"), f.lines("[orphan]"));
        f.registry.remove("orphan");
        assertEquals(List.of(), f.lines("[orphan]"));
    }

    @Test
    void streamsInSmallReadsAndSkips() throws IOException {
        EngineFixture f = EngineFixture.standard();
        String whole = f.control();
        StringBuilder pieces = new StringBuilder();
        try (ControlStream in = new ControlStream(f.registry)) {
            byte[] buf = new byte[7];
            int n;
            while ((n = in.read(buf, 0, buf.length)) > 0) {
                pieces.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            assertEquals(whole.length(), in.position());
        }
        assertEquals(whole, pieces.toString());
        try (ControlStream in = new ControlStream(f.registry)) {
            assertEquals(100, in.skip(100));
            assertEquals(whole.substring(100), new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1));
        }
    }
}
