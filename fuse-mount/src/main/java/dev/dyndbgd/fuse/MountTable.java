package dev.dyndbgd.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads {@code /proc/self/mountinfo} to learn what is mounted at a directory without touching the
 * directory itself (a dead FUSE mount can make a stat fail or hang; the mount table always answers).
 */
public final class MountTable {
    /** One line of mountinfo: the mount point and the file system type (e.g. {@code fuse.dyndbgd}). */
    public record Entry(Path mountPoint, String fsType, String source) {
    }

    private MountTable() {
    }

    public static List<Entry> read() throws IOException {
        List<Entry> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            // id parent major:minor root mount-point options [optional...] - fstype source super-options
            String[] f = line.split(" ");
            int dash = -1;
            for (int i = 6; i < f.length; i++) {
                if (f[i].equals("-")) {
                    dash = i;
                    break;
                }
            }
            if (f.length < 5 || dash < 0 || dash + 2 >= f.length) {
                continue;
            }
            out.add(new Entry(Path.of(unescape(f[4])), f[dash + 1], unescape(f[dash + 2])));
        }
        return out;
    }

    /** The last (topmost) mount at exactly this directory, if any. */
    public static Optional<Entry> at(Path dir) throws IOException {
        Path wanted = dir.toAbsolutePath().normalize();
        Entry found = null;
        for (Entry e : read()) {
            if (e.mountPoint().equals(wanted)) {
                found = e;
            }
        }
        return Optional.ofNullable(found);
    }

    /** mountinfo escapes space, tab, newline and backslash as three-digit octal. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                try {
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException ignored) {
                    // not an escape: keep the backslash
                }
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
