package dev.dyndbgd.elf;

import java.io.IOException;
import java.nio.file.Path;

/**
 * C sources for fixture modules, laid out as Linux 6.x {@code include/linux/dynamic_debug.h} lays
 * out {@code struct _ddebug} and {@code struct ddebug_class_map}, compiled by the tests with gcc.
 */
public final class Fixtures {
    private Fixtures() {
    }

    /** The descriptor as the kernel declares it (x86-64, CONFIG_JUMP_LABEL: a 16-byte static key). */
    static final String DDEBUG_STRUCT = """
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
            		{ "fixture", __func__, __FILE__, fmt, __LINE__, cls, fl }

            #define MODINFO(tag, text) \\
            	static const char tag[] __attribute__((used, section(".modinfo"), aligned(1))) = text
            """;

    /**
     * Five sites: three in a file-scope array (order fixed by C), two as function-local statics the
     * way {@code pr_debug()} declares them (order chosen by the compiler; tests read it back from the
     * symbol table). One format is a global object placed after another, so its relocation is
     * against a named symbol with a non-zero value. Module name comes from {@code .modinfo}.
     */
    public static final String SITES_C = DDEBUG_STRUCT + """
            const char leading_global[] = "occupies offset 0 of .rodata";
            const char global_format[] = "global format %s\\n";

            static struct _ddebug table[3] __attribute__((used, section("__dyndbg"), aligned(8))) = {
            	{ "fixture", "table_fn_a", "drivers/fixture/a.c", "first %d\\n", 11, 63, 0 },
            	{ "fixture", "table_fn_b", "drivers/fixture/b.c", "max line, every flag bit\\n", 262143, 5, 0xff },
            	{ "fixture", "table_fn_c", "drivers/fixture/c.c", global_format, 0, 0, 1 },
            };

            void alpha(void) { DDEBUG(d_alpha, "alpha %s caf\\xc3\\xa9\\n", 63, 1); }
            void beta(void) { DDEBUG(d_beta, "beta bad utf8 \\xff!\\n", 62, 0x24); }

            MODINFO(m_license, "license=GPL");
            MODINFO(m_alias, "alias=fixture-alias");
            MODINFO(m_name, "name=fixture_mod");
            MODINFO(m_vermagic, "vermagic=6.1.0 SMP mod_unload");
            """;

    /** Sites but no {@code name=} in {@code .modinfo}: the name must come from the file name. */
    static final String NAMELESS_C = DDEBUG_STRUCT + """
            void gamma_fn(void) { DDEBUG(d_gamma, "gamma\\n", 63, 0); }
            MODINFO(m_license, "license=GPL");
            """;

    /** A module with no dynamic debug at all. */
    static final String PLAIN_C = """
            int answer(void) { return 42; }
            static const char m_name[] __attribute__((used, section(".modinfo"), aligned(1))) = "name=plain";
            """;

    /** A format pointing at a char array without a NUL, alone in its section. */
    static final String UNTERMINATED_C = DDEBUG_STRUCT + """
            static const char raw[4] __attribute__((section(".rodata.raw"), aligned(1))) = { 'a', 'b', 'c', 'd' };
            void delta(void) { DDEBUG(d_delta, raw, 63, 0); }
            MODINFO(m_name, "name=unterminated");
            """;

    /** An eight-byte object that ends up in {@code __dyndbg}, so its size is not a multiple of 56. */
    static final String ODD_SIZE_C = DDEBUG_STRUCT + """
            void epsilon(void) { DDEBUG(d_eps, "eps\\n", 63, 0); }
            static long stray __attribute__((used, section("__dyndbg"), aligned(8))) = 7;
            MODINFO(m_name, "name=odd");
            """;

    private static final String CLASS_MAP_COMMON = """
            char __this_module[64] __attribute__((section(".gnu.linkonce.this_module")));
            enum class_map_type { DD_CLASS_TYPE_DISJOINT_BITS, DD_CLASS_TYPE_LEVEL_NUM,
            	DD_CLASS_TYPE_DISJOINT_NAMES, DD_CLASS_TYPE_LEVEL_NAMES };
            """;

    /** Linux 6.1's 56-byte {@code struct ddebug_class_map}, one map, names array in {@code .data}. */
    public static final String CLASS_MAP_56_C = DDEBUG_STRUCT + CLASS_MAP_COMMON + """
            struct list_head { struct list_head *next, *prev; };
            struct ddebug_class_map {
            	struct list_head link;
            	void *mod;
            	const char *mod_name;
            	const char **class_names;
            	const int length;
            	const int base;
            	enum class_map_type map_type;
            };
            static const char *drm_classes[] = { "DRM_UT_CORE", "DRM_UT_DRIVER", "DRM_UT_KMS" };
            static struct ddebug_class_map __attribute__((used, section("__dyndbg_classes"), aligned(8))) drm_map = {
            	.mod = __this_module, .mod_name = "classy56", .class_names = drm_classes,
            	.length = 3, .base = 0, .map_type = DD_CLASS_TYPE_DISJOINT_BITS,
            };
            void zeta(void) { DDEBUG(d_zeta, "classed\\n", 2, 0); }
            MODINFO(m_name, "name=classy56");
            """;

    /**
     * The newer 40-byte {@code struct ddebug_class_map} (no list_head), two maps in one array; the
     * second names array is {@code const} so it lands in {@code .rodata} with {@code .rela.rodata}.
     */
    public static final String CLASS_MAP_40_C = DDEBUG_STRUCT + CLASS_MAP_COMMON + """
            struct ddebug_class_map {
            	void *mod;
            	const char *mod_name;
            	const char **class_names;
            	const int length;
            	const int base;
            	enum class_map_type map_type;
            };
            static const char *bits_classes[] = { "ONE", "TWO" };
            static const char *const level_classes[] = { "L0", "L1", "L2", "L3" };
            static struct ddebug_class_map __attribute__((used, section("__dyndbg_classes"), aligned(8))) maps[2] = {
            	{ .mod = __this_module, .mod_name = "classy40", .class_names = bits_classes,
            	  .length = 2, .base = 0, .map_type = DD_CLASS_TYPE_DISJOINT_BITS },
            	{ .mod = __this_module, .mod_name = "classy40", .class_names = (const char **) level_classes,
            	  .length = 4, .base = 10, .map_type = DD_CLASS_TYPE_LEVEL_NAMES },
            };
            void eta(void) { DDEBUG(d_eta, "level\\n", 11, 0); }
            MODINFO(m_name, "name=classy40");
            """;

    /** A compiled module named {@code fixture_mod} with five call sites, for tests outside this package. */
    public static Path sitesModule(Path dir) throws IOException, InterruptedException {
        return module(dir, SITES_C, "fixture.ko");
    }

    /**
     * A compiled module {@code name} with {@code sites} unclassed call sites, one per function
     * {@code fn_<i>} with format {@code "<name> site <i>\n"}, one per source line.
     */
    public static Path generatedModule(Path dir, String name, int sites) throws IOException, InterruptedException {
        StringBuilder c = new StringBuilder(DDEBUG_STRUCT);
        for (int i = 0; i < sites; i++) {
            c.append("void fn_").append(i).append("(void) { DDEBUG(d_").append(i).append(", \"").append(name)
                    .append(" site ").append(i).append("\\n\", 63, 0); }\n");
        }
        c.append("MODINFO(m_name, \"name=").append(name).append("\");\n");
        return module(dir, c.toString(), name + ".ko");
    }

    /** Compiles {@code source} as {@code drivers/fixture/<stem>.c} into {@code dir/<moduleFile>}. */
    public static Path module(Path dir, String source, String moduleFile) throws IOException, InterruptedException {
        String stem = moduleFile.substring(0, moduleFile.indexOf('.'));
        return Tools.compileModule(dir, "drivers/fixture/" + stem + ".c", source, moduleFile);
    }
}
