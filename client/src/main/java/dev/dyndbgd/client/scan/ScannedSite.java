package dev.dyndbgd.client.scan;

import java.util.Objects;

/**
 * One debug statement found in a program's classes, with everything {@code control} lists for it,
 * in the kernel's shape {@code file:line [module]function "format"}.
 *
 * @param module         the module the site belongs to
 * @param declaringClass binary name of the class whose static field holds the site, e.g. {@code com.example.Shop}
 * @param field          name of that static field
 * @param ordinal        0, 1, 2... in the order the declaring class's code creates its sites
 *                       (the order of the {@code site(...)} calls in its static initialiser)
 * @param file           source file as a path under its package, e.g. {@code com/example/Shop.java}
 * @param function       the method the statement is in ({@code lambda$ship$0} reported as {@code ship})
 * @param line           the source line, 0 when the class was compiled without line numbers
 * @param format         the format string
 * @param className      the class name given to {@code site(format, className)}, or null
 */
public record ScannedSite(String module, String declaringClass, String field, int ordinal, String file,
                          String function, int line, String format, String className) {
    public ScannedSite {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(declaringClass, "declaringClass");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(format, "format");
    }
}
