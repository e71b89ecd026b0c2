package dev.dyndbgd.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An independent reading of a module's call sites, for checking the reader against: GNU readelf
 * parses the section table, symbol table and relocations; this class only follows what readelf
 * prints to the string bytes. It shares no code with the reader.
 */
final class ReadelfTruth {
    /** What one call site should decode to. */
    record Site(String file, String function, String format, int line, int classId, int flags) {
    }

    record Section(int index, String name, long offset, long size) {
    }

    record Symbol(String name, String type, long value, String ndx) {
    }

    private static final Pattern SECTION = Pattern.compile(
            "^\\s*\\[\\s*(\\d+)]\\s+(\\S+)\\s+\\S+\\s+[0-9a-f]+\\s+([0-9a-f]+)\\s+([0-9a-f]+)\\s.*$");
    private static final Pattern SYMBOL = Pattern.compile(
            "^\\s*\\d+:\\s+([0-9a-f]+)\\s+\\S+\\s+(\\S+)\\s+\\S+\\s+\\S+\\s+(\\S+)\\s*(\\S*)$");
    private static final Pattern RELOC = Pattern.compile(
            "^([0-9a-f]+)\\s+[0-9a-f]+\\s+(\\S+)\\s+[0-9a-f]+\\s+(\\S+)\\s+([+-])\\s+([0-9a-f]+)$");

    private final Path file;
    private final byte[] bytes;
    private final Map<String, Section> sectionsByName = new HashMap<>();
    private final Map<Integer, Section> sectionsByIndex = new HashMap<>();
    private final Map<String, List<Symbol>> symbolsByName = new HashMap<>();

    ReadelfTruth(Path file) throws Exception {
        this.file = file;
        this.bytes = Files.readAllBytes(file);
        for (String line : Tools.lines(Tools.run(null, "readelf", "-SW", file.toString()))) {
            Matcher m = SECTION.matcher(line);
            if (m.matches() && !m.group(1).equals("0")) {
                Section s = new Section(Integer.parseInt(m.group(1)), m.group(2), Long.parseLong(m.group(3), 16),
                        Long.parseLong(m.group(4), 16));
                sectionsByName.putIfAbsent(s.name(), s);
                sectionsByIndex.put(s.index(), s);
            }
        }
        for (String line : Tools.lines(Tools.run(null, "readelf", "-sW", file.toString()))) {
            Matcher m = SYMBOL.matcher(line);
            if (m.matches() && !m.group(4).isEmpty()) {
                symbolsByName.computeIfAbsent(m.group(4), k -> new ArrayList<>())
                        .add(new Symbol(m.group(4), m.group(2), Long.parseLong(m.group(1), 16), m.group(3)));
            }
        }
    }

    Section section(String name) {
        return sectionsByName.get(name);
    }

    /** Symbols of this name (a local static such as {@code d_alpha} appears as {@code d_alpha.4}). */
    List<Symbol> symbolsStartingWith(String prefix) {
        List<Symbol> out = new ArrayList<>();
        symbolsByName.forEach((name, list) -> {
            if (name.equals(prefix) || name.startsWith(prefix + ".")) {
                out.addAll(list);
            }
        });
        return out;
    }

    /** Relocations of {@code relaSection} as offset -> [symbol name, addend]. */
    Map<Long, Object[]> relocations(String relaSection) throws Exception {
        Map<Long, Object[]> out = new HashMap<>();
        boolean in = false;
        for (String line : Tools.lines(Tools.run(null, "readelf", "-rW", file.toString()))) {
            if (line.startsWith("Relocation section ")) {
                in = line.startsWith("Relocation section '" + relaSection + "'");
                continue;
            }
            Matcher m = RELOC.matcher(line.trim());
            if (in && m.matches()) {
                if (!m.group(2).equals("R_X86_64_64")) {
                    throw new AssertionError("unexpected relocation type " + line);
                }
                long addend = Long.parseLong(m.group(5), 16) * (m.group(4).equals("-") ? -1 : 1);
                out.put(Long.parseLong(m.group(1), 16), new Object[]{m.group(3), addend});
            }
        }
        return out;
    }

    /** The call sites of {@code __dyndbg}, decoded from readelf's view of the file. */
    List<Site> sites() throws Exception {
        Section dyndbg = section("__dyndbg");
        if (dyndbg == null) {
            return List.of();
        }
        Map<Long, Object[]> relocs = relocations(".rela__dyndbg");
        ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<Site> sites = new ArrayList<>();
        for (long base = 0; base < dyndbg.size(); base += 56) {
            int word = le.getInt((int) (dyndbg.offset() + base + 32));
            sites.add(new Site(string(relocs.get(base + 16)), string(relocs.get(base + 8)), string(relocs.get(base + 24)),
                    word & 0x3ffff, (word >>> 18) & 0x3f, (word >>> 24) & 0x3f));
        }
        return sites;
    }

    /** The string a relocation [symbol, addend] points at. */
    String string(Object[] reloc) {
        String name = (String) reloc[0];
        long addend = (Long) reloc[1];
        long start;
        List<Symbol> named = symbolsByName.getOrDefault(name, List.of()).stream()
                .filter(s -> !s.type().equals("SECTION")).toList();
        if (named.size() == 1) {
            Section s = sectionsByIndex.get(Integer.parseInt(named.get(0).ndx()));
            start = s.offset() + named.get(0).value() + addend;
        } else {
            start = section(name).offset() + addend;
        }
        int end = (int) start;
        while (bytes[end] != 0) {
            end++;
        }
        return new String(bytes, (int) start, end - (int) start, StandardCharsets.ISO_8859_1);
    }
}
