package dev.dyndbgd.examples;

import dev.dyndbgd.client.DebugSite;
import dev.dyndbgd.client.DynamicDebug;

/**
 * A program with debug statements, module {@code hello}. It greets in a loop; its debug lines print
 * only while enabled in the daemon:
 * <pre>
 *   bin/dyndbg-example &amp;
 *   grep '\[hello\]' /mnt/dyndbg/control
 *   echo 'module hello +pmfl' &gt; /mnt/dyndbg/control
 * </pre>
 * Arguments: [name] [interval in ms] (defaults: world, 1000).
 */
public final class Hello {
    private static final DynamicDebug DEBUG = DynamicDebug.module("hello");
    private static final DebugSite GREETING = DEBUG.site("greeting %s, round %d\n");
    private static final DebugSite EVEN = DEBUG.site("round %d is even\n");
    private static final DebugSite SLOW = DEBUG.site("round %d took %d us\n", "TIMING");

    private Hello() {
    }

    public static void main(String[] args) throws InterruptedException {
        String who = args.length > 0 ? args[0] : "world";
        long interval = args.length > 1 ? Long.parseLong(args[1]) : 1000;
        System.out.println("hello: pid " + ProcessHandle.current().pid() + ", " + DEBUG.table().size()
                + " debug statements in module hello; try: echo 'module hello +p' > /mnt/dyndbg/control");
        for (int round = 1; ; round++) {
            long start = System.nanoTime();
            greet(who, round);
            SLOW.printf(round, (System.nanoTime() - start) / 1000);
            Thread.sleep(interval);
        }
    }

    private static void greet(String who, int round) {
        GREETING.printf(who, round);
        if (round % 2 == 0) {
            EVEN.printf(round);
        }
    }
}
