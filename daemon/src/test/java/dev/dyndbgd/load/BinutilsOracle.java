package dev.dyndbgd.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An independent reading of a module's call sites, for checking ours: section and symbol tables and
 * relocations come from binutils' {@code readelf}, not from the project's ELF code, and the control
 * lines are put together here from the kernel's format.
 */
final class BinutilsOracle {
    private static final Pattern SECTION = Pattern.compile("^\\s*\\[\\s*(\\d+)]\\s+(\\S+)\\s+\\S+\\s+[0-9a-f]+\\s+([0-9a-f]+)\\s+([0-9a-f]+)");
    private static final Pattern RELOC = Pattern.compile("^([0-9a-f]+)\\s+[0-9a-f]+\\s+R_X86_64_64\\s+([0-9a-f]+)\\s+(\\S+)\\s+\\+\\s+([0-9a-f]+)");
    private static final Pattern SYMBOL = Pattern.compile("^\\s*\\d+:\\s+([0-9a-f]+)\\s+\\d+\\s+\\S+\\s+\\S+\\s+\\S+\\s+(\\d+)\\s+(\\S+)");

    private record Section(int index, String name, long offset, long size) {
    }

    private BinutilsOracle() {
    }

    /** The control lines the kernel would print for this module file, named {@code module}, all flags as stored. */
    static List<String> controlLines(Path ko, String module) throws IOException, InterruptedException {
        byte[] file = Files.readAllBytes(ko);
        Map<String, Section> byName = new HashMap<>();
        Map<Integer, Section> byIndex = new HashMap<>();
        for (String l : readelf("-SW", ko)) {
            Matcher m = SECTION.matcher(l);
            if (m.find()) {
                Section s = new Section(Integer.parseInt(m.group(1)), m.group(2), Long.parseLong(m.group(3), 16), Long.parseLong(m.group(4), 16));
                byName.putIfAbsent(s.name(), s);
                byIndex.put(s.index(), s);
            }
        }
        Map<String, Integer> symbolSection = new HashMap<>();
        for (String l : readelf("-sW", ko)) {
            Matcher m = SYMBOL.matcher(l);
            if (m.find()) {
                symbolSection.putIfAbsent(m.group(3), Integer.parseInt(m.group(2)));
            }
        }
        Section dyndbg = byName.get("__dyndbg");
        if (dyndbg == null) {
            return List.of();
        }
        Map<Long, String> pointers = new HashMap<>();
        boolean inDyndbgRelocs = false;
        for (String l : readelf("-rW", ko)) {
            if (l.startsWith("Relocation section")) {
                inDyndbgRelocs = l.contains("'.rela__dyndbg'");
                continue;
            }
            Matcher m = RELOC.matcher(l);
            if (inDyndbgRelocs && m.find()) {
                long slot = Long.parseLong(m.group(1), 16);
                long value = Long.parseLong(m.group(2), 16);
                String symbol = m.group(3);
                long addend = Long.parseLong(m.group(4), 16);
                Section target = byName.containsKey(symbol) && value == 0 ? byName.get(symbol) : byIndex.get(symbolSection.get(symbol));
                pointers.put(slot, cString(file, (int) (target.offset() + value + addend)));
            }
        }
        ByteBuffer bits = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<String> lines = new ArrayList<>();
        int count = (int) (dyndbg.size() / 56);
        for (int i = count - 1; i >= 0; i--) {
            long base = 56L * i;
            int word = bits.getInt((int) (dyndbg.offset() + base + 32));
            int line = word & 0x3FFFF;
            int flags = (word >>> 24) & 0xFF;
            String format = pointers.get(base + 24).replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n");
            lines.add(pointers.get(base + 16) + ":" + line + " [" + module + "]" + pointers.get(base + 8) + " =" + describe(flags)
                    + " \"" + format + "\"");
        }
        return lines;
    }

    private static String describe(int flags) {
        StringBuilder sb = new StringBuilder();
        String letters = "pmfslt";
        int[] bits = {1, 2, 4, 32, 8, 16};
        for (int i = 0; i < bits.length; i++) {
            if ((flags & bits[i]) != 0) {
                sb.append(letters.charAt(i));
            }
        }
        return sb.length() == 0 ? "_" : sb.toString();
    }

    private static String cString(byte[] file, int at) {
        int end = at;
        while (file[end] != 0) {
            end++;
        }
        return new String(file, at, end - at, StandardCharsets.ISO_8859_1);
    }

    private static List<String> readelf(String option, Path ko) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("readelf", option, ko.toString()).redirectErrorStream(true).start();
        List<String> out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1).lines().toList();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("readelf " + option + " " + ko + " failed");
        }
        return out;
    }
}
