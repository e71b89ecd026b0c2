package dev.dyndbgd.memory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@code top} and {@code systemctl status} see of a process: its resident set now and at its
 * peak, read from {@code /proc/PID/status}. The data's own bytes ({@code stats}) are a small part
 * of it; these are the figures a user actually judges the daemon by.
 *
 * @param rssBytes  VmRSS: resident now (anonymous, file-backed and shared pages)
 * @param peakBytes VmHWM: the most ever resident at once
 * @param anonBytes RssAnon: the resident pages that are the process's own (heap, stacks, malloc)
 * @param fileBytes RssFile: resident pages of mapped files (the JVM's code, libraries), shareable
 */
public record ProcessMemory(long rssBytes, long peakBytes, long anonBytes, long fileBytes) {
    private static final Path SELF = Path.of("/proc/self/status");

    /** This process now; all zero where {@code /proc} cannot be read (the figures are then unknown). */
    public static ProcessMemory self() {
        return read(SELF);
    }

    /** Another process by pid (benchmarks and tests); all zero if it is gone. */
    public static ProcessMemory of(long pid) {
        return read(Path.of("/proc", Long.toString(pid), "status"));
    }

    static ProcessMemory read(Path status) {
        try {
            return parse(Files.readString(status, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            return new ProcessMemory(0, 0, 0, 0);
        }
    }

    /** Parses the text of a {@code status} file; fields it lacks read as zero. */
    public static ProcessMemory parse(String status) {
        long rss = 0;
        long hwm = 0;
        long anon = 0;
        long file = 0;
        for (String line : status.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            switch (line.substring(0, colon)) {
                case "VmRSS" -> rss = kib(line, colon);
                case "VmHWM" -> hwm = kib(line, colon);
                case "RssAnon" -> anon = kib(line, colon);
                case "RssFile" -> file = kib(line, colon);
                default -> {
                }
            }
        }
        return new ProcessMemory(rss, hwm, anon, file);
    }

    /** "VmRSS:	  61644 kB": the kernel always reports these in KiB. */
    private static long kib(String line, int colon) {
        String v = line.substring(colon + 1).trim();
        int space = v.indexOf(' ');
        return Long.parseLong(space < 0 ? v : v.substring(0, space)) * 1024;
    }

    /** Megabytes (10^6 bytes), as top and the issue tracker speak of them. */
    public static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }
}
