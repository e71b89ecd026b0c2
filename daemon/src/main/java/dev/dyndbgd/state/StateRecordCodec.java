package dev.dyndbgd.state;

import dev.dyndbgd.site.Flags;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * One saved site per line: {@code crc32c TAB flags TAB module TAB line TAB file TAB function TAB format},
 * strings escaped so a line never holds a raw TAB, newline or CR. The checksum covers the rest of the
 * line, so a torn or damaged line is recognised instead of being trusted.
 */
final class StateRecordCodec {
    static final String HEADER = "# dyndbgd state v1: crc32c flags module line file function format";

    private StateRecordCodec() {
    }

    record Decoded(SiteKey key, int flags) {
    }

    static String encode(SiteKey key, int flags) {
        StringBuilder body = new StringBuilder(96);
        body.append(Flags.describe(flags)).append('\t').append(escape(key.module())).append('\t').append(key.line())
                .append('\t').append(escape(key.file())).append('\t').append(escape(key.function())).append('\t')
                .append(escape(key.format()));
        String rest = body.toString();
        return String.format("%08x", crc(rest)) + '\t' + rest + '\n';
    }

    /** Decodes one line (without its newline); null if it is damaged. */
    static Decoded decode(String line) {
        int tab = line.indexOf('\t');
        if (tab != 8) {
            return null;
        }
        String rest = line.substring(tab + 1);
        long want;
        try {
            want = Long.parseLong(line.substring(0, 8), 16);
        } catch (NumberFormatException e) {
            return null;
        }
        if (crc(rest) != want) {
            return null;
        }
        String[] f = rest.split("\t", -1);
        if (f.length != 6) {
            return null;
        }
        int flags = 0;
        if (!f[0].equals("_")) {
            for (char c : f[0].toCharArray()) {
                int bit = Flags.bitOf(c);
                if (bit <= 0) {
                    return null;
                }
                flags |= bit;
            }
        }
        try {
            return new Decoded(new SiteKey(unescape(f[1]), unescape(f[3]), unescape(f[4]), Integer.parseInt(f[2]), unescape(f[5])), flags);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static long crc(String s) {
        CRC32C c = new CRC32C();
        c.update(s.getBytes(StandardCharsets.ISO_8859_1));
        return c.getValue();
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 4);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    static String unescape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (++i >= s.length()) {
                throw new IllegalArgumentException("dangling escape");
            }
            switch (s.charAt(i)) {
                case '\\' -> sb.append('\\');
                case 't' -> sb.append('\t');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                default -> throw new IllegalArgumentException("bad escape");
            }
        }
        return sb.toString();
    }
}
