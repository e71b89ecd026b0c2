package dev.dyndbgd.mount;

import dev.dyndbgd.elf.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static dev.dyndbgd.mount.DaemonProcess.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Eight writers and eight readers on the mounted control file at once, through the kernel's FUSE
 * path (each thread opens, writes or reads, and closes, as a shell would).
 */
@Timeout(120)
class ConcurrentAccessTest {
    private static final Pattern LINE = Pattern.compile(
            "[^ ]+:\\d+ \\[[a-z_]+][A-Za-z0-9_<>$]+ =(_|p?m?f?s?l?t?) \"[^\\n]*\"( class (unknown, _id:\\d+|[A-Z0-9_]+))?");
    private static final String LETTERS = "pmfslt";

    @TempDir
    Path work;

    @Test
    void noTornLinesAndTheFinalStateIsSomeSerialOrder() throws Exception {
        FuseRequirements.check();
        Path modules = Files.createDirectories(work.resolve("modules"));
        Fixtures.generatedModule(modules, "gamma", 16);
        Fixtures.generatedModule(modules, "bulk", 400); // enough lines that a read spans many chunks
        try (DaemonProcess d = DaemonProcess.start(work, "--load", modules.toString())) {
            int expectedLines = sh("cat " + d.control()).out().split("\n").length;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            ExecutorService pool = Executors.newFixedThreadPool(16);
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            List<Future<String[]>> writers = new ArrayList<>();
            List<Future<Integer>> readers = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                int id = w;
                writers.add(pool.submit(() -> write(d.control(), id, until)));
            }
            for (int r = 0; r < 8; r++) {
                int size = 512 + r * 1000;
                readers.add(pool.submit(() -> read(d.control(), size, expectedLines, until, problems)));
            }
            // Meanwhile the pool is compacted over and over (blocks move while readers decode them).
            Future<Integer> compactor = Executors.newSingleThreadExecutor().submit(() -> {
                int n = 0;
                while (System.nanoTime() < until) {
                    try (FileOutputStream out = new FileOutputStream(d.mount.resolve("zsmalloc/compact").toFile())) {
                        out.write('1');
                    }
                    n++;
                }
                return n;
            });
            String[][] last = new String[8][];
            int batches = 0;
            for (int w = 0; w < 8; w++) {
                last[w] = writers.get(w).get();
                batches += Integer.parseInt(last[w][2]);
            }
            int reads = 0;
            for (Future<Integer> r : readers) {
                reads += r.get();
            }
            pool.shutdown();
            assertTrue(compactor.get() > 10, "compactions run alongside");
            assertTrue(problems.isEmpty(), () -> problems.size() + " bad reads, first: " + problems.peek());
            assertTrue(batches > 80 && reads > 40, "too little traffic: " + batches + " batches, " + reads + " reads");

            String control = sh("cat " + d.control()).out();
            List<String> sharedCandidates = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                assertTrue(control.contains("[gamma]fn_" + w + " =" + last[w][0] + " "), "writer " + w + " last wrote " + last[w][0]);
                sharedCandidates.add("[gamma]fn_15 =" + last[w][1] + " ");
            }
            assertTrue(sharedCandidates.stream().anyMatch(control::contains),
                    "the shared site holds one writer's last value: " + sharedCandidates);
        }
    }

    /** Returns {own site's last flags, shared site's last flags, batches written}. */
    private static String[] write(Path control, int id, long until) throws IOException {
        Random rnd = new Random(id);
        String own = "_";
        String shared = "_";
        int n = 0;
        while (System.nanoTime() < until) {
            own = randomFlags(rnd);
            shared = randomFlags(rnd);
            byte[] batch = ("module gamma func fn_" + id + " =" + own + "\nmodule gamma func fn_15 =" + shared + "\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
            try (FileOutputStream out = new FileOutputStream(control.toFile())) {
                out.write(batch);
            }
            n++;
        }
        return new String[]{own, shared, String.valueOf(n)};
    }

    private static String randomFlags(Random rnd) {
        StringBuilder sb = new StringBuilder();
        for (char c : LETTERS.toCharArray()) {
            if (rnd.nextBoolean()) {
                sb.append(c);
            }
        }
        return sb.length() == 0 ? "_" : sb.toString();
    }

    private static int read(Path control, int bufferSize, int expectedLines, long until, ConcurrentLinkedQueue<String> problems)
            throws IOException {
        int n = 0;
        byte[] buf = new byte[bufferSize];
        while (System.nanoTime() < until) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            try (FileInputStream in = new FileInputStream(control.toFile())) {
                int k;
                while ((k = in.read(buf)) > 0) {
                    all.write(buf, 0, k);
                }
            }
            String[] lines = all.toString(StandardCharsets.ISO_8859_1).split("\n", -1);
            if (lines.length != expectedLines + 1 || !lines[lines.length - 1].isEmpty()) {
                problems.add("read " + (lines.length - 1) + " lines, expected " + expectedLines);
            } else if (!lines[0].equals("# filename:lineno [module]function flags format")) {
                problems.add("bad header: " + lines[0]);
            } else {
                for (int i = 1; i < lines.length - 1; i++) {
                    if (!LINE.matcher(lines[i]).matches()) {
                        problems.add("torn or malformed line: " + lines[i]);
                        break;
                    }
                }
            }
            n++;
        }
        return n;
    }
}
