package dev.dyndbgd.elf;

import com.github.luben.zstd.ZstdInputStream;
import org.tukaani.xz.BasicArrayCache;
import org.tukaani.xz.XZInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * How a module file is stored, told by its name the way kmod tells it: {@code .ko} plain,
 * {@code .ko.xz}, {@code .ko.zst} or {@code .ko.gz} compressed.
 */
public enum ModuleCompression {
    NONE(".ko"),
    XZ(".ko.xz"),
    ZSTD(".ko.zst"),
    GZIP(".ko.gz");

    /**
     * Memory the xz decoder may use, in KiB. The dictionary size comes from the file header, so without
     * a limit a crafted header could ask for gigabytes before a byte is decoded; kernels compress
     * modules with at most a few MiB of dictionary.
     */
    private static final int XZ_MEMORY_LIMIT_KIB = 256 * 1024;

    private final String suffix;

    ModuleCompression(String suffix) {
        this.suffix = suffix;
    }

    /** The file name ending this compression uses, e.g. {@code ".ko.xz"}. */
    public String suffix() {
        return suffix;
    }

    /** The compression a module file name indicates, or null if the name is not a module file name. */
    public static ModuleCompression ofFileName(String fileName) {
        for (ModuleCompression c : values()) {
            if (fileName.endsWith(c.suffix) && fileName.length() > c.suffix.length()) {
                return c;
            }
        }
        return null;
    }

    /** Whether {@code fileName} ends in one of the module suffixes (and has something before it). */
    public static boolean isModuleFileName(String fileName) {
        return ofFileName(fileName) != null;
    }

    /**
     * The module name a file name implies when {@code .modinfo} has none: the suffix dropped and
     * {@code -} turned into {@code _}, as kmod and the kernel's build do ({@code snd-hda-intel.ko}
     * is module {@code snd_hda_intel}). A name without a module suffix is only dash-mapped.
     */
    public static String moduleNameOf(String fileName) {
        ModuleCompression c = ofFileName(fileName);
        String stem = c == null ? fileName : fileName.substring(0, fileName.length() - c.suffix.length());
        return stem.replace('-', '_');
    }

    /** Wraps {@code in} in this compression's decoder (or returns it as is for {@link #NONE}). */
    InputStream decoder(InputStream in) throws IOException {
        return switch (this) {
            case NONE -> in;
            // Concatenated .xz streams are decoded one after another, each by a new decoder that asks
            // for its dictionary; without a cache each allocates it anew, so a 5 KB file of a hundred
            // one-byte streams declaring 192 MiB dictionaries cost 19 GB of allocation. A cache of its
            // own per file lets them share one array, and goes with the stream.
            case XZ -> new XZInputStream(in, XZ_MEMORY_LIMIT_KIB, new BasicArrayCache());
            case ZSTD -> new ZstdInputStream(in);
            case GZIP -> new GZIPInputStream(in, 64 * 1024);
        };
    }
}
