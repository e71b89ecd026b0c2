package dev.dyndbgd.client;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Statements of an in-process module found by scanning these test classes, driven by writing their bytes. */
class DebugSiteTest {
    static final DynamicDebug DEBUG = DynamicDebug.inProcess("sitetest");
    static final DebugSite FIRST = DEBUG.site("first %d\n");
    static final DebugSite SECOND = DEBUG.site("second %s and %s\n");

    private final List<String> printed = new CopyOnWriteArrayList<>();
    private final Runnable stop = DebugOutput.addListener(printed::add);

    @AfterEach
    void detach() {
        stop.run();
        DEBUG.detach();
    }

    private static void first() {
        FIRST.printf(7);
    }

    private static void second() {
        SECOND.printf("x", "y");
    }

    private static int indexOf(String format) {
        for (int i = 0; i < DEBUG.table().size(); i++) {
            if (DEBUG.table().get(i).format().equals(format)) {
                return i;
            }
        }
        throw new AssertionError(format);
    }

    @Test
    void theScanFoundBothStatementsAndTheyReadTheirOwnBytes() {
        assertEquals(2, DEBUG.table().size());
        ByteBuffer flags = ByteBuffer.allocateDirect(2);
        DEBUG.attach(flags);
        first();
        second();
        assertEquals(List.of(), printed);
        flags.put(indexOf("first %d\n"), (byte) Flags.PRINT);
        assertTrue(FIRST.enabled());
        assertFalse(SECOND.enabled());
        first();
        second();
        assertEquals(List.of("first 7"), printed);
    }

    @Test
    void decorationsFollowTheKernelsOrderWhateverOrderTheBitsAreSetIn() {
        ByteBuffer flags = ByteBuffer.allocateDirect(2);
        DEBUG.attach(flags);
        int i = indexOf("second %s and %s\n");
        var where = DEBUG.table().get(i);
        flags.put(i, (byte) (Flags.PRINT | Flags.LINE | Flags.SOURCE | Flags.FUNCTION | Flags.MODULE | Flags.THREAD));
        second();
        flags.put(i, (byte) (Flags.PRINT | Flags.LINE));
        second();
        flags.put(i, (byte) (Flags.PRINT | Flags.THREAD));
        second();
        long tid = Thread.currentThread().getId();
        assertEquals(List.of(
                "[" + tid + "] sitetest:second:dev/dyndbgd/client/DebugSiteTest.java:" + where.line() + ": second x and y",
                where.line() + ": second x and y",
                "[" + tid + "] second x and y"), printed);
        assertEquals("second", where.function());
    }

    @Test
    void detachedStatementsReadZeroAndTooSmallFlagsAreRefused() {
        ByteBuffer flags = ByteBuffer.allocateDirect(2);
        flags.put(0, (byte) 0xFF).put(1, (byte) 0xFF);
        DEBUG.attach(flags);
        assertTrue(FIRST.enabled() && SECOND.enabled());
        DEBUG.detach();
        assertFalse(FIRST.enabled() || SECOND.enabled());
        assertEquals(0, FIRST.flags());
        assertThrows(IllegalArgumentException.class, () -> DEBUG.attach(ByteBuffer.allocateDirect(1)));
        assertThrows(IllegalArgumentException.class, () -> DEBUG.attach(ByteBuffer.allocate(2)), "heap buffers have no address");
    }

    @Test
    void aStatementTheScanCannotSeeStaysOff() {
        DebugSite runtime = DEBUG.site(String.valueOf("made at run time %d"));
        ByteBuffer flags = ByteBuffer.allocateDirect(2);
        flags.put(0, (byte) 0xFF).put(1, (byte) 0xFF);
        DEBUG.attach(flags);
        assertFalse(runtime.enabled());
        runtime.printf(1);
        assertEquals(List.of(), printed);
    }
}
