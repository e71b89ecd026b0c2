package dev.dyndbgd.client.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A program's registration: its module name, the names of its classes and its call-site table, in
 * the order of the flags bytes the daemon hands back (site i is byte i). All strings are wire strings
 * ({@link Wire}). Reading checks every limit of {@code docs/protocol.md}.
 */
public record Register(String module, List<String> classNames, List<Site> sites) implements Request {

    /** One call site; {@code classIndex} indexes {@link #classNames}, or is {@link Protocol#CLASS_NONE}. */
    public record Site(String file, String function, String format, int line, int classIndex) {
    }

    public Register {
        classNames = List.copyOf(classNames);
        sites = List.copyOf(sites);
    }

    @Override
    public ByteBuffer frame() {
        PayloadWriter w = new PayloadWriter(Protocol.REGISTER).u16(Protocol.VERSION).str(module).u8(classNames.size());
        for (String c : classNames) {
            w.str(c);
        }
        w.u32(sites.size());
        for (Site s : sites) {
            w.str(s.file()).str(s.function()).str(s.format()).u32(s.line()).u8(s.classIndex());
        }
        return w.frame();
    }

    static Register read(PayloadReader r) throws ProtocolException {
        String module = r.str("module name", 255);
        ModuleNames.check(module);
        int nClasses = r.u8("class count");
        if (nClasses > Protocol.MAX_CLASSES) {
            throw new ProtocolException(Protocol.E2BIG, nClasses + " classes; at most " + Protocol.MAX_CLASSES);
        }
        List<String> classes = new ArrayList<>(nClasses);
        for (int i = 0; i < nClasses; i++) {
            String c = r.str("class name", Protocol.MAX_CLASS_NAME);
            checkClassName(c);
            if (classes.contains(c)) {
                throw new ProtocolException(Protocol.EINVAL, "class name " + c + " declared twice");
            }
            classes.add(c);
        }
        long nSites = r.u32("site count");
        if (nSites == 0) {
            throw new ProtocolException(Protocol.EINVAL, "a module needs at least one call site");
        }
        if (nSites > Protocol.MAX_SITES) {
            throw new ProtocolException(Protocol.E2BIG, nSites + " call sites; at most " + Protocol.MAX_SITES);
        }
        List<Site> sites = new ArrayList<>((int) nSites);
        for (int i = 0; i < nSites; i++) {
            String file = r.str("file of site " + i, Protocol.MAX_FILE);
            String function = r.str("function of site " + i, Protocol.MAX_FUNCTION);
            String format = r.str("format of site " + i, Protocol.MAX_FORMAT);
            long line = r.u32("line of site " + i);
            int cls = r.u8("class of site " + i);
            checkName(file, "file of site " + i);
            checkName(function, "function of site " + i);
            if (format.indexOf('\0') >= 0) {
                throw new ProtocolException(Protocol.EINVAL, "format of site " + i + " contains a NUL byte");
            }
            if (line > Protocol.MAX_LINE) {
                throw new ProtocolException(Protocol.EINVAL, "line " + line + " of site " + i + " exceeds " + Protocol.MAX_LINE);
            }
            if (cls != Protocol.CLASS_NONE && cls >= nClasses) {
                throw new ProtocolException(Protocol.EINVAL, "site " + i + " names class " + cls + " of " + nClasses);
            }
            sites.add(new Site(file, function, format, (int) line, cls));
        }
        r.end("REGISTER");
        return new Register(module, classes, sites);
    }

    private static void checkName(String s, String what) throws ProtocolException {
        if (s.isEmpty()) {
            throw new ProtocolException(Protocol.EINVAL, what + " is empty");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                throw new ProtocolException(Protocol.EINVAL, String.format("%s has control character 0x%02x", what, (int) c));
            }
        }
    }

    private static void checkClassName(String c) throws ProtocolException {
        if (c.isEmpty()) {
            throw new ProtocolException(Protocol.EINVAL, "empty class name");
        }
        for (int i = 0; i < c.length(); i++) {
            char ch = c.charAt(i);
            if (ch <= 0x20 || ch >= 0x7F) {
                throw new ProtocolException(Protocol.EINVAL, String.format("class name has character 0x%02x", (int) ch));
            }
        }
    }
}
