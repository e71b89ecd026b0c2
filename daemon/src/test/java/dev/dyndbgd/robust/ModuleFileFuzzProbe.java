package dev.dyndbgd.robust;

import dev.dyndbgd.elf.KernelModuleReader;
import dev.dyndbgd.elf.MalformedModuleException;
import dev.dyndbgd.elf.ModuleFileLoader;
import dev.dyndbgd.site.ModuleImage;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads one (damaged) module file through {@link KernelModuleReader#read} and judges the outcome: a
 * valid image or a {@link MalformedModuleException} whose message names the file and gives a reason;
 * anything else, a read of a second or more, or an allocation above the caller's cap is a failure.
 * Keeps the counts the test prints. Thread-safe: each thread's allocation is measured on its own.
 */
final class ModuleFileFuzzProbe {
    /** Longest one read may take. */
    static final long MAX_NANOS = 1_000_000_000L;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private long tried;
    private long rejected;
    private long accepted;
    private long harmlessChecked;
    private long maxNanos;
    private String slowest = "";
    private long maxAllocated;
    private String hungriest = "";
    private double maxAllocationPerByte;
    private final List<String> failures = new ArrayList<>();
    private final Map<String, Integer> reasons = new TreeMap<>();

    static {
        if (!THREADS.isThreadAllocatedMemorySupported()) {
            throw new IllegalStateException("this JVM cannot measure allocation per thread");
        }
        THREADS.setThreadAllocatedMemoryEnabled(true);
    }

    /** Bytes allocated by the calling thread so far. */
    static long allocated() {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /**
     * Reads {@code file}; returns the image, or null when it was rejected as it should be. A failure
     * is recorded (not thrown) so one run reports every problem at once.
     *
     * @param fileSize      the size the file had, for the allocation-per-byte figure
     * @param allocationCap most bytes the read may allocate
     * @param expected      when not null, the image the read must produce (damage the reader never sees)
     */
    ModuleImage read(Path file, ModuleFileLoader loader, String what, long fileSize, long allocationCap,
                     ModuleImage expected) {
        ModuleImage image = null;
        Throwable odd = null;
        String reason = null;
        long before = allocated();
        long t0 = System.nanoTime();
        try {
            image = loader == null ? KernelModuleReader.read(file) : KernelModuleReader.read(file, loader);
        } catch (MalformedModuleException e) {
            reason = e.reason();
            if (!e.getMessage().startsWith(file + ": ") || !e.source().equals(file.toString()) || reason == null
                    || reason.isBlank()) {
                odd = new AssertionError("message does not name the file and a reason: " + e.getMessage());
            }
        } catch (Throwable t) {
            odd = t;
        }
        long nanos = System.nanoTime() - t0;
        long bytes = allocated() - before;
        synchronized (this) {
            tried++;
            if (image != null) {
                accepted++;
            } else if (reason != null) {
                rejected++;
                reasons.merge(bucket(reason), 1, Integer::sum);
            }
            if (nanos > maxNanos) {
                maxNanos = nanos;
                slowest = file.getFileName() + ": " + what;
            }
            if (bytes > maxAllocated) {
                maxAllocated = bytes;
                hungriest = file.getFileName() + ": " + what;
            }
            maxAllocationPerByte = Math.max(maxAllocationPerByte, bytes / (double) Math.max(1, fileSize));
            String where = file.getFileName() + " [" + what + "]";
            if (odd != null) {
                fail(where + ": threw " + odd);
            }
            if (nanos > MAX_NANOS) {
                fail(where + ": took " + nanos / 1_000_000 + " ms");
            }
            if (bytes > allocationCap) {
                fail(where + ": allocated " + bytes + " bytes, more than the cap of " + allocationCap
                        + " for a file of " + fileSize + " bytes");
            }
            if (expected != null) {
                harmlessChecked++;
                if (!expected.equals(image)) {
                    fail(where + ": damage outside what the reader follows changed the result: "
                            + (image == null ? "rejected: " + reason : "a different image"));
                }
            }
        }
        return image;
    }

    private void fail(String message) {
        if (failures.size() < 30) {
            failures.add(message);
        } else if (failures.size() == 30) {
            failures.add("...");
        }
    }

    /** The reason without its numbers, to count kinds of rejection. */
    private static String bucket(String reason) {
        String r = reason.replaceAll("0x[0-9a-f]+|\\d+", "N").replaceAll("'[^']*'", "'S'");
        int cut = r.indexOf(':');
        r = cut > 0 && cut < 40 ? r.substring(0, cut) : r;
        return r.length() > 70 ? r.substring(0, 70) : r;
    }

    synchronized long tried() {
        return tried;
    }

    synchronized long rejected() {
        return rejected;
    }

    synchronized long accepted() {
        return accepted;
    }

    synchronized List<String> failures() {
        return List.copyOf(failures);
    }

    synchronized String summary(String title) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("[%s] %d inputs read: %d rejected (MalformedModuleException), %d accepted as valid"
                        + " (%d of them damaged only where the reader never looks, all read as the original);"
                        + " slowest %.1f ms (%s); most allocated %.1f MB (%s); at most %.1f bytes allocated per file byte;"
                        + " %d failures%n", title, tried, rejected, accepted, harmlessChecked, maxNanos / 1e6, slowest,
                maxAllocated / 1048576.0, hungriest, maxAllocationPerByte, failures.size()));
        reasons.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(12)
                .forEach(e -> s.append(String.format("[%s]   %6d x %s%n", title, e.getValue(), e.getKey())));
        return s.toString();
    }
}
