package dev.dyndbgd.control;

import dev.dyndbgd.query.SourcePaths;
import dev.dyndbgd.site.Flags;
import dev.dyndbgd.site.SiteRecord;
import dev.dyndbgd.table.ModuleTable;
import dev.dyndbgd.table.SiteBody;

/**
 * The text of {@code control}, byte for byte as the kernel's {@code ddebug_proc_show} writes it (6.1+):
 * a header, then {@code file:line [module]function =flags "format"} with an optional class suffix.
 * Only TAB, CR and LF are escaped in the format; a double quote stays raw, as in the kernel.
 */
public final class ControlFormat {
    public static final String HEADER = "# filename:lineno [module]function flags format\n";

    private ControlFormat() {
    }

    /** Appends one site's line (its body already at hand), reading its flags once so the line is consistent. */
    public static void appendLine(StringBuilder out, ModuleTable table, int index, SiteBody body) {
        out.append(SourcePaths.trim(body.file())).append(':').append(body.line())
                .append(" [").append(table.name()).append(']').append(body.function()).append(" =");
        Flags.appendDescription(out, table.flags(index));
        out.append(" \"");
        appendEscaped(out, body.format());
        out.append('"');
        int classId = table.classId(index);
        if (classId != SiteRecord.CLASS_DEFAULT) {
            String name = table.classNameOf(classId);
            if (name != null) {
                out.append(" class:").append(name);
            } else {
                out.append(" class unknown, _id:").append(classId);
            }
        }
        out.append('\n');
    }

    static void appendEscaped(StringBuilder out, String format) {
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            switch (c) {
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }
}
