package dev.dyndbgd.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the real module set is: -Ddyndbgd.realModules=DIR, else the default cache of scripts/fetch-real-modules. */
final class RealModules {
    private RealModules() {
    }

    static Path directory(String configured) {
        String dir = configured != null && !configured.isEmpty() ? configured : System.getProperty("dyndbgd.realModules", "");
        if (dir.isEmpty()) {
            throw new IllegalStateException("no module set: pass -p modules=DIR (see scripts/fetch-real-modules)");
        }
        Path p = Path.of(dir);
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException(p + " is not a directory");
        }
        return p;
    }
}
