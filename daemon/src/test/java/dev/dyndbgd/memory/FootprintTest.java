package dev.dyndbgd.memory;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FootprintTest {
    @Test
    void settlesOnceAfterActivityWhenAWholePeriodWasQuiet() {
        AtomicLong activity = new AtomicLong();
        try (Footprint f = new Footprint(activity::get)) {
            assertFalse(f.check(), "nothing happened since start: nothing to give back");
            activity.incrementAndGet();
            assertFalse(f.check(), "busy during this period: wait");
            activity.addAndGet(5);
            assertFalse(f.check(), "still busy");
            assertTrue(f.check(), "a quiet period after activity: settle");
            assertFalse(f.check(), "settled already; nothing new since");
            assertFalse(f.check());
            activity.incrementAndGet();
            assertFalse(f.check());
            assertTrue(f.check(), "the next burst is followed by another settle");
        }
    }

    @Test
    void settlingReadsTheResidentSetAndReachesGlibcsTrim() {
        ProcessMemory[] r = Footprint.settle("test");
        assertTrue(r[0].rssBytes() > 0 && r[1].rssBytes() > 0, "both readings taken from /proc");
        assertTrue(NativeHeap.trim(), "glibc's malloc_trim is reachable through jnr-ffi");
    }

    @Test
    void readsTheKernelsStatusFields() {
        ProcessMemory m = ProcessMemory.parse("Name:\tjava\nVmHWM:\t  72188 kB\nVmRSS:\t   63456 kB\n"
                + "RssAnon:\t   42528 kB\nRssFile:\t   20928 kB\nRssShmem:\t       0 kB\nThreads:\t21\n");
        assertEquals(new ProcessMemory(63456L * 1024, 72188L * 1024, 42528L * 1024, 20928L * 1024), m);
        ProcessMemory self = ProcessMemory.self();
        assertTrue(self.rssBytes() > 0 && self.peakBytes() >= self.rssBytes() && self.anonBytes() > 0, self.toString());
    }
}
