package dev.dyndbgd.robust;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Two fixture modules with class maps, compiled with gcc the way {@code dev.dyndbgd.elf.Fixtures} builds
 * its modules ({@code struct _ddebug} and the 40-byte {@code struct ddebug_class_map} of Linux 6.x), but
 * with call sites chosen to hit the query language's corners: absolute paths under the source root
 * ({@link #SOURCE_ROOT}, trimmed in {@code control}), a path whose basename is empty, spaces, colons,
 * wildcard characters and bytes >= 0x80 in file names, line 0 and the largest 18-bit line, formats with
 * TAB/CR/LF, quotes, {@code ;}, {@code #}, {@code ^}, {@code *}, NBSP, VT, FF, ESC, and an empty one,
 * classes from three maps, classes no map names, and a class name both modules declare with different ids.
 */
final class ClassyModules {
    /** Passed to the daemon as {@code --source-root}: the kernel's trim_prefix prefix. */
    static final String SOURCE_ROOT = "/build/linux/";

    /** The absolute {@code __FILE__} paths compiled in below (listed trimmed, matched by all three names). */
    static final List<String> ABSOLUTE_FILES = List.of(
            "/build/linux/drivers/gpu/core.c", "/build/linux/drivers/gpu/kms.c", "/build/linux/drivers/gpu/inline.c",
            "/other/root/x.c", "/build/linux/fs/gfx2.c");

    private static final String DDEBUG = """
            struct _ddebug {
            	const char *modname;
            	const char *function;
            	const char *filename;
            	const char *format;
            	unsigned int lineno:18;
            	unsigned int class_id:6;
            	unsigned int flags:8;
            	struct { void *enabled_and_pad, *entries; } key;
            } __attribute__((aligned(8)));

            #define DDEBUG(var, fmt, cls, fl) \\
            	static struct _ddebug var __attribute__((used, section("__dyndbg"), aligned(8))) = \\
            		{ "x", __func__, __FILE__, fmt, __LINE__, cls, fl }

            char __this_module[64] __attribute__((section(".gnu.linkonce.this_module")));
            enum class_map_type { DD_CLASS_TYPE_DISJOINT_BITS, DD_CLASS_TYPE_LEVEL_NUM,
            	DD_CLASS_TYPE_DISJOINT_NAMES, DD_CLASS_TYPE_LEVEL_NAMES };
            struct ddebug_class_map {
            	void *mod;
            	const char *mod_name;
            	const char **class_names;
            	const int length;
            	const int base;
            	enum class_map_type map_type;
            };
            """;

    /** A 3 KiB format and a 200-char function name: control lines longer than FUSE's and cat's small reads. */
    private static final String LONG = "#define LONG_NAME \"" + "long_function_name_".repeat(10) + "end\"\n"
            + "#define LONG_FORMAT \"long format " + "0123456789abcdef".repeat(190) + " end\\n\"\n";

    /** Module {@code gfx}: maps CORE..PRIME (0..3), V0..V3 (10..13), LOW/MID/HI (20..22). */
    private static final String GFX_C = DDEBUG + LONG + """
            static const char *bits_classes[] = { "CORE", "DRIVER", "KMS", "PRIME" };
            static const char *level_classes[] = { "V0", "V1", "V2", "V3" };
            static const char *name_classes[] = { "LOW", "MID", "HI" };
            static struct ddebug_class_map __attribute__((used, section("__dyndbg_classes"), aligned(8))) maps[3] = {
            	{ .mod = __this_module, .mod_name = "gfx", .class_names = bits_classes,
            	  .length = 4, .base = 0, .map_type = DD_CLASS_TYPE_DISJOINT_BITS },
            	{ .mod = __this_module, .mod_name = "gfx", .class_names = level_classes,
            	  .length = 4, .base = 10, .map_type = DD_CLASS_TYPE_LEVEL_NUM },
            	{ .mod = __this_module, .mod_name = "gfx", .class_names = name_classes,
            	  .length = 3, .base = 20, .map_type = DD_CLASS_TYPE_DISJOINT_NAMES },
            };

            static struct _ddebug table[] __attribute__((used, section("__dyndbg"), aligned(8))) = {
            	{ "gfx", "gpu_init", "/build/linux/drivers/gpu/core.c", "core init\\n", 10, 63, 0 },
            	{ "gfx", "gpu_init", "/build/linux/drivers/gpu/core.c", "core class %d\\n", 12, 0, 0 },
            	{ "gfx", "gpu_probe", "/build/linux/drivers/gpu/core.c", "driver probe\\n", 40, 1, 0 },
            	{ "gfx", "kms_set", "/build/linux/drivers/gpu/kms.c", "kms set mode\\t%dx%d\\n", 7, 2, 0x03 },
            	{ "gfx", "kms_set", "/build/linux/drivers/gpu/kms.c", "kms plain\\r\\n", 8, 63, 0 },
            	{ "gfx", "lvl", "drivers/gpu/levels.c", "V0 msg\\n", 99, 10, 0 },
            	{ "gfx", "lvl", "drivers/gpu/levels.c", "V1 msg\\n", 100, 11, 0x10 },
            	{ "gfx", "lvl", "drivers/gpu/levels.c", "unclassed lvl\\n", 101, 63, 0 },
            	{ "gfx", "lvl", "drivers/gpu/levels.c", "V3 msg\\n", 103, 13, 0 },
            	{ "gfx", "names_fn", "/other/root/x.c", "LOW msg\\n", 1, 20, 0 },
            	{ "gfx", "names_fn", "/other/root/x.c", "HI \\"quoted\\" msg\\n", 3, 22, 0 },
            	{ "gfx", "orphan", "orphan.c", "orphan class 30\\n", 30, 30, 1 },
            	{ "gfx", "orphan", "orphan.c", "orphan class 62\\n", 62, 62, 0 },
            	{ "gfx", "weird_fmt", "drivers/my dir/a:b.c", "semi;colon # hash %s\\n", 5, 63, 0 },
            	{ "gfx", "weird_fmt", "drivers/my dir/a:b.c", "", 6, 63, 0 },
            	{ "gfx", "weird_fmt", "drivers/my dir/a:b.c", "^caret * star ? q\\n", 7, 63, 0 },
            	{ "gfx", "high_bytes", "drivers/caf\\xc3\\xa9/\\xff.c", "caf\\xc3\\xa9 \\xff\\xa0nbsp\\v\\f\\x1b\\a end\\n", 262143, 63, 0x3f },
            	{ "gfx", "dup_line", "fs/dup.c", "same line a\\n", 50, 63, 0 },
            	{ "gfx", "dup_line", "fs/dup.c", "same line b\\n", 50, 63, 0x0c },
            	{ "gfx", "zero_line", "fs/zero.c", "line zero\\n", 0, 63, 0 },
            	{ "gfx", "ends_slash", "odd/", "basename empty\\n", 77, 63, 0 },
            	{ "gfx", "dollar$fn", "./fs/./dots.c", "dots 100%% \\"done\\"", 1000, 63, 0 },
            	{ "gfx", "_underscore", "fs/_u.c", "  leading spaces, trailing  ", 2, 63, 0 },
            	{ "gfx", "Zeta9", "fs/star*name?.c", "file with wildcard chars\\n", 3, 63, 0 },
            	{ "gfx", "A", "a", "a", 4294, 63, 0 },
            	{ "gfx", LONG_NAME, "drivers/gpu/long.c", LONG_FORMAT, 9, 63, 0 },
            };

            #line 500 "/build/linux/drivers/gpu/inline.c"
            void inline_fn(void) {
            	DDEBUG(d_in1, "inline one\\n", 63, 0);
            	DDEBUG(d_in2, "inline KMS\\n", 2, 0);
            }
            static const char m_name[] __attribute__((used, section(".modinfo"), aligned(1))) = "name=gfx";
            """;

    /** Module {@code gfx2}: CORE and EXTRA at ids 5 and 6, so class CORE means id 0 in gfx but 5 here. */
    private static final String GFX2_C = DDEBUG + """
            static const char *classes[] = { "CORE", "EXTRA" };
            static struct ddebug_class_map __attribute__((used, section("__dyndbg_classes"), aligned(8))) map = {
            	.mod = __this_module, .mod_name = "gfx2", .class_names = classes,
            	.length = 2, .base = 5, .map_type = DD_CLASS_TYPE_DISJOINT_BITS,
            };
            #line 20 "/build/linux/fs/gfx2.c"
            void gfx2_core(void) {
            	DDEBUG(d_a, "gfx2 core\\n", 5, 0);
            	DDEBUG(d_b, "gfx2 extra\\n", 6, 0);
            	DDEBUG(d_c, "gfx2 id 0, no name here\\n", 0, 0);
            	DDEBUG(d_d, "gfx2 plain\\n", 63, 0);
            }
            static const char m_name[] __attribute__((used, section(".modinfo"), aligned(1))) = "name=gfx2";
            """;

    private ClassyModules() {
    }

    /** Compiles both modules into {@code dir} (as gfx.ko and gfx2.ko). */
    static void build(Path dir, Path scratch) throws IOException, InterruptedException {
        compile(scratch, "gfx", GFX_C, dir.resolve("gfx.ko"));
        compile(scratch, "gfx2", GFX2_C, dir.resolve("gfx2.ko"));
    }

    private static void compile(Path scratch, String stem, String source, Path module) throws IOException, InterruptedException {
        Assumptions.assumeTrue(onPath("gcc") || "true".equals(System.getenv("CI")), "gcc is not installed");
        Path c = scratch.resolve("drivers/fixture/" + stem + ".c");
        Files.createDirectories(c.getParent());
        // Latin-1: every char of the text above is one byte of the source.
        Files.write(c, source.getBytes(StandardCharsets.ISO_8859_1));
        Path object = scratch.resolve(stem + ".o");
        Process p = new ProcessBuilder("gcc", "-c", "-O0", "-fno-pic", "-fno-asynchronous-unwind-tables", "-w",
                "-o", object.toString(), "drivers/fixture/" + stem + ".c")
                .directory(scratch.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("gcc failed for " + stem + ": " + new String(out, StandardCharsets.UTF_8));
        }
        Files.move(object, module);
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
