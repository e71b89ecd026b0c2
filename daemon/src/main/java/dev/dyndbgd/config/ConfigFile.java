package dev.dyndbgd.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads {@code dyndbgd.conf}: {@code key = value} lines, {@code #} comments, values bare or in double
 * quotes (with {@code \"} and {@code \\}). Query keys follow the kernel's boot parameters:
 * {@code dyndbg = "..."} and {@code foo.dyndbg = "..."}, where a bare {@code foo.dyndbg} means {@code +p}.
 * Any bad line stops the start with an error naming the file and line: the daemon never runs
 * half-configured.
 */
public final class ConfigFile {
    private static final Pattern MODULE_NAME = Pattern.compile("[A-Za-z0-9_*?\\-]+");

    private ConfigFile() {
    }

    public static DaemonConfig read(Path file, DaemonConfig base) throws ConfigException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        return parse(file.toString(), lines, base);
    }

    static DaemonConfig parse(String name, List<String> lines, DaemonConfig base) throws ConfigException {
        Path mount = base.mountPoint();
        List<Path> load = new ArrayList<>(base.loadPaths());
        boolean allowOther = base.allowOther();
        boolean defaultPermissions = base.defaultPermissions();
        int verbose = base.verbose();
        Path state = base.stateFile();
        String codec = base.codec();
        int dictionarySize = base.dictionarySize();
        long memoryBudget = base.memoryBudget();
        int blockSites = base.blockSites();
        Path socket = base.socket();
        List<String> boot = new ArrayList<>(base.bootQueries());
        Map<String, List<String>> perModule = new LinkedHashMap<>();
        base.moduleQueries().forEach((k, v) -> perModule.put(k, new ArrayList<>(v)));
        for (int i = 0; i < lines.size(); i++) {
            String where = name + ":" + (i + 1);
            String line = stripComment(lines.get(i), where).strip();
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            String key = (eq < 0 ? line : line.substring(0, eq)).strip();
            String value = eq < 0 ? null : unquote(line.substring(eq + 1).strip(), where);
            if (key.equals("dyndbg") || key.endsWith(".dyndbg")) {
                // Like the kernel's boot parameter: no value means "+p".
                String query = value == null || value.isEmpty() ? "+p" : value;
                if (key.equals("dyndbg")) {
                    boot.add(query);
                } else {
                    String module = key.substring(0, key.length() - ".dyndbg".length());
                    if (!MODULE_NAME.matcher(module).matches()) {
                        throw new ConfigException(where + ": bad module name \"" + module + "\" in " + key);
                    }
                    perModule.computeIfAbsent(module.replace('-', '_'), k -> new ArrayList<>()).add(query);
                }
                continue;
            }
            if (value == null) {
                throw new ConfigException(where + ": expected key = value, got \"" + line + "\"");
            }
            switch (key) {
                case "mount" -> mount = path(value, where);
                case "load" -> load.add(path(value, where));
                case "allow_other" -> allowOther = bool(value, where);
                case "default_permissions" -> defaultPermissions = bool(value, where);
                case "verbose" -> verbose = verbose(value, where);
                case "state_file" -> state = path(value, where);
                case "codec" -> codec = codec(value, where);
                case "dictionary_size" -> dictionarySize = (int) number(value, where, 0, 1 << 20);
                case "memory_budget" -> memoryBudget = number(value, where, 0, Long.MAX_VALUE);
                case "block_sites" -> blockSites = (int) number(value, where, 1, 1024);
                case "socket" -> socket = path(value, where);
                default -> throw new ConfigException(where + ": unknown key \"" + key + "\"");
            }
        }
        Map<String, List<String>> frozen = new LinkedHashMap<>();
        perModule.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        return new DaemonConfig(mount, load, allowOther, defaultPermissions, verbose, state, boot, frozen, codec,
                dictionarySize, memoryBudget, blockSites, socket);
    }

    /** Removes a {@code #} comment that is not inside double quotes. */
    private static String stripComment(String line, String where) throws ConfigException {
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '#' && !quoted) {
                return line.substring(0, i);
            }
        }
        if (quoted) {
            throw new ConfigException(where + ": unclosed double quote");
        }
        return line;
    }

    private static String unquote(String v, String where) throws ConfigException {
        if (!v.startsWith("\"")) {
            if (v.contains("\"")) {
                throw new ConfigException(where + ": stray double quote in " + v);
            }
            return v;
        }
        StringBuilder sb = new StringBuilder();
        int i = 1;
        for (; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\' && i + 1 < v.length()) {
                char n = v.charAt(++i);
                if (n != '"' && n != '\\') {
                    sb.append('\\'); // other backslashes belong to the query (e.g. format "a\tb")
                }
                sb.append(n);
            } else if (c == '"') {
                break;
            } else {
                sb.append(c);
            }
        }
        if (i >= v.length() || !v.substring(i + 1).isBlank()) {
            throw new ConfigException(where + ": text after the closing quote in " + v);
        }
        return sb.toString();
    }

    private static Path path(String v, String where) throws ConfigException {
        if (v.isEmpty()) {
            throw new ConfigException(where + ": empty path");
        }
        return Path.of(v);
    }

    private static boolean bool(String v, String where) throws ConfigException {
        return switch (v.toLowerCase()) {
            case "yes", "true", "on", "1" -> true;
            case "no", "false", "off", "0" -> false;
            default -> throw new ConfigException(where + ": expected yes or no, got \"" + v + "\"");
        };
    }

    static String codec(String v, String where) throws ConfigException {
        if (!DaemonConfig.CODECS.contains(v)) {
            throw new ConfigException(where + ": codec must be one of " + String.join(", ", DaemonConfig.CODECS) + ", got \"" + v + "\"");
        }
        return v;
    }

    private static long number(String v, String where, long min, long max) throws ConfigException {
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the error
        }
        throw new ConfigException(where + ": expected a number " + min + ".." + max + ", got \"" + v + "\"");
    }

    private static int verbose(String v, String where) throws ConfigException {
        try {
            int n = Integer.parseInt(v);
            if (n >= 0 && n <= 4) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the error
        }
        throw new ConfigException(where + ": verbose must be 0..4, got \"" + v + "\"");
    }
}
