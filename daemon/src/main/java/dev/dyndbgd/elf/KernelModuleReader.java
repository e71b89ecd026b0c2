package dev.dyndbgd.elf;

import dev.dyndbgd.site.ClassMap;
import dev.dyndbgd.site.ModuleImage;
import dev.dyndbgd.site.SiteRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns a kernel module file ({@code .ko}, optionally xz/zstd/gzip compressed) into the call sites
 * and class maps dynamic debug would register for it when the module loads.
 *
 * <p>Reads only what that needs: the section table, {@code .modinfo}, {@code __dyndbg} and
 * {@code __dyndbg_classes} with their relocations, the symbols those relocations use, and the
 * strings they point to. A module without dynamic debug sites is not an error: it yields an image
 * with no sites.
 *
 * <p>Stateless and thread-safe; files can be read from several threads at once.
 */
public final class KernelModuleReader {
    private static final Logger LOG = LoggerFactory.getLogger(KernelModuleReader.class);
    private static final ModuleFileLoader DEFAULT_LOADER = new ModuleFileLoader();

    private KernelModuleReader() {
    }

    /** Reads a module file with the default size cap ({@link ModuleFileLoader#DEFAULT_MAX_BYTES}). */
    public static ModuleImage read(Path file) throws IOException {
        return read(file, DEFAULT_LOADER);
    }

    /**
     * Reads a module file, loading (and decompressing) it with {@code loader}.
     *
     * @throws MalformedModuleException if the file is not a well-formed x86-64 module; the message
     *                                  starts with the file's path
     * @throws IOException              if the file cannot be opened or read
     */
    public static ModuleImage read(Path file, ModuleFileLoader loader) throws IOException {
        ByteBuffer elf = loader.load(file);
        String fileName = String.valueOf(file.getFileName());
        return parse(elf, file.toString(), ModuleCompression.moduleNameOf(fileName));
    }

    /**
     * Decodes an uncompressed module image already in memory.
     *
     * @param elf          the ELF bytes from position to limit (the buffer is not modified)
     * @param source       names the image in error messages, usually its path
     * @param fallbackName the module name to use when {@code .modinfo} has no {@code name=} entry
     *                     (see {@link ModuleCompression#moduleNameOf}); may be null
     */
    public static ModuleImage parse(ByteBuffer elf, String source, String fallbackName) throws MalformedModuleException {
        try {
            ElfObject object = ElfObject.parse(elf, source);
            PointerResolver pointers = new PointerResolver(object);
            List<SiteRecord> sites = DyndbgSiteDecoder.decode(object, pointers);
            List<ClassMap> classMaps = DyndbgClassMapDecoder.decode(object, pointers);
            String name = ModuleInfo.name(object);
            if (name == null) {
                name = fallbackName;
            }
            if (name == null || name.isEmpty()) {
                throw new MalformedModuleException(source, "no module name: .modinfo has no name= entry and the "
                        + "file name gives none");
            }
            LOG.trace("{}: module {}, {} call sites, {} class maps", source, name, sites.size(), classMaps.size());
            return new ModuleImage(name, sites, classMaps);
        } catch (InternalError e) {
            // What the JVM throws when a memory-mapped file shrinks under the reader (SIGBUS): the
            // module was replaced mid-read, which for this file is as good as corrupt.
            throw new MalformedModuleException(source, "file changed while being read (" + e.getMessage() + ")", e);
        }
    }
}
