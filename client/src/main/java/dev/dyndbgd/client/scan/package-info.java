/**
 * Finds a program's debug statements ({@code DebugSite}s of a {@code DynamicDebug} module) in its
 * compiled classes, with the source file, function and line {@code control} lists for each.
 *
 * <p>Entry point: {@link dev.dyndbgd.client.scan.SiteScanner}. The package reads class files with a
 * small hand-written reader (the client depends on nothing but SLF4J, and JDK 17 has no public
 * class-file API): {@code ClassBytes} (bounds-checked reads), {@code ModifiedUtf8},
 * {@code ConstantPool}, {@code Bytecode} (instruction lengths), {@code LineNumbers},
 * {@code MethodScanner} (the bytecode shapes of declarations and uses), {@code ClassFileReader}
 * (one class file), {@code SiteResolver} (joining classes) and {@code ClassFiles} (jars and
 * directories).
 *
 * <p>Limits, chosen on purpose:
 * <ul>
 * <li>Only static fields count: module handles and sites are recognised when stored with
 *     {@code PUTSTATIC}, from a literal (or constant) name and format.</li>
 * <li>A site used in several places is listed at its first use only.</li>
 * <li>Uses are calls of {@code printf} or {@code enabled} on a site read straight from its static
 *     field; a site read into a local variable first, or used as a method reference, is not seen
 *     as used there.</li>
 * <li>Entries under {@code META-INF/} (multi-release versions) and jars nested in jars are not scanned.</li>
 * <li>Class files over 64 MiB are skipped with a warning.</li>
 * </ul>
 */
package dev.dyndbgd.client.scan;
