package dev.dyndbgd.robust;

import dev.dyndbgd.client.protocol.Protocol;
import dev.dyndbgd.client.protocol.ProtocolException;
import dev.dyndbgd.client.protocol.Register;
import dev.dyndbgd.client.protocol.Request;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Inputs for the protocol fuzz, and what docs/protocol.md says the daemon must do with each.
 *
 * <p>Inputs are valid REGISTER, LOAD, UNLOAD and LIST frames, damaged (bit flips, truncation, lying
 * frame and field lengths, overwritten, inserted or deleted bytes, frames run together) or not, and
 * plain garbage. The oracle walks the bytes as the protocol defines them, frame by frame, and says
 * which replies must come, with which errno, and whether the daemon must then close, keep the
 * connection open, or time it out. Replies that depend on what other connections hold at that moment
 * (a name taken or not) allow both outcomes.
 */
final class ProtocolFuzzFrames {
    private ProtocolFuzzFrames() {
    }

    /** What a reply must be. */
    enum Kind { REGISTERED_OR_EEXIST, RESULT, ERROR }

    /** One reply the daemon owes: its kind, the errnos allowed, for REGISTERED the site count. */
    record Step(Kind kind, Set<Integer> errnos, int sites, String why) {
    }

    /** After the replies: the daemon closes, waits for more, or times the connection out (ETIMEDOUT). */
    enum End { CLOSED, OPEN, TIMEOUT }

    record Expectation(List<Step> steps, End end, List<String> loadPaths) {
    }

    static final Set<Integer> DOCUMENTED = Set.of(Protocol.EPERM, Protocol.ENOENT, Protocol.E2BIG, Protocol.EBUSY,
            Protocol.EEXIST, Protocol.EINVAL, Protocol.EMFILE, Protocol.ENAMETOOLONG, Protocol.EPROTO,
            Protocol.EPROTONOSUPPORT, Protocol.ETIMEDOUT);

    /**
     * What the daemon must do with {@code sent} on a fresh connection.
     *
     * @param halfClosed whether the client shuts its output down after sending
     * @param held       names held by programs or the daemon for the whole run: REGISTER gets EEXIST,
     *                   UNLOAD gets EBUSY
     */
    static Expectation expect(byte[] sent, boolean halfClosed, Set<String> held) {
        List<Step> steps = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(sent);
        boolean registered = false;
        while (true) {
            int rem = b.remaining();
            if (registered && rem > 0) {
                // "After REGISTERED the client sends nothing more (anything it sends is answered ERROR EPROTO)".
                steps.add(new Step(Kind.ERROR, Set.of(Protocol.EPROTO), 0, "bytes after REGISTERED"));
                return new Expectation(steps, End.CLOSED, paths);
            }
            if (rem == 0) {
                return new Expectation(steps, halfClosed ? End.CLOSED : End.OPEN, paths);
            }
            if (rem < 4) {
                return partial(steps, halfClosed, paths);
            }
            int n = b.getInt(b.position());
            if (n <= 0) {
                steps.add(new Step(Kind.ERROR, Set.of(Protocol.EINVAL), 0, "frame length " + Integer.toUnsignedString(n)));
                return new Expectation(steps, End.CLOSED, paths);
            }
            if (n > Protocol.MAX_FRAME) {
                steps.add(new Step(Kind.ERROR, Set.of(Protocol.E2BIG), 0, "frame length " + n));
                return new Expectation(steps, End.CLOSED, paths);
            }
            if (rem - 4 < n) {
                return partial(steps, halfClosed, paths);
            }
            ByteBuffer body = ByteBuffer.wrap(sent, b.position() + 4, n).slice();
            b.position(b.position() + 4 + n);
            Request request;
            try {
                request = Request.decode(body);
            } catch (ProtocolException e) {
                steps.add(new Step(Kind.ERROR, Set.of(e.errno()), 0, e.getMessage()));
                return new Expectation(steps, End.CLOSED, paths);
            }
            if (request instanceof Register r) {
                if (held.contains(r.module())) {
                    steps.add(new Step(Kind.ERROR, Set.of(Protocol.EEXIST), 0, "register held name " + r.module()));
                    return new Expectation(steps, End.CLOSED, paths);
                }
                steps.add(new Step(Kind.REGISTERED_OR_EEXIST, Set.of(Protocol.EEXIST), r.sites().size(), "register " + r.module()));
                registered = true;
            } else if (request instanceof Request.Load l) {
                paths.addAll(l.paths());
                steps.add(new Step(Kind.RESULT, Set.of(0, Protocol.EINVAL), 0, "load " + l.paths()));
            } else if (request instanceof Request.Unload u) {
                steps.add(new Step(Kind.RESULT, held.contains(u.module()) ? Set.of(Protocol.EBUSY)
                        : Set.of(0, Protocol.ENOENT, Protocol.EBUSY), 0, "unload " + u.module()));
            } else {
                steps.add(new Step(Kind.RESULT, Set.of(0), 0, "list"));
            }
        }
    }

    private static Expectation partial(List<Step> steps, boolean halfClosed, List<String> paths) {
        if (halfClosed) {
            return new Expectation(steps, End.CLOSED, paths);   // end of stream inside a frame: just closed
        }
        steps.add(new Step(Kind.ERROR, Set.of(Protocol.ETIMEDOUT), 0, "incomplete frame"));
        return new Expectation(steps, End.TIMEOUT, paths);
    }

    /** Whether every LOAD path stays inside {@code root} (the fuzz must never walk the machine's disks). */
    static boolean safe(Expectation e, Path root) {
        for (String p : e.loadPaths()) {
            try {
                Path path = Path.of(p);
                if (!path.isAbsolute() || p.contains("..") || !path.normalize().startsWith(root)) {
                    return false;
                }
            } catch (InvalidPathException ex) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------------
    // Inputs

    private static final String NAME_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_-";

    /** A wire string of {@code length} bytes: printable ASCII, UTF-8 and Latin-1 bytes, now and then a tab. */
    static String text(Random r, int length, boolean controlsAllowed) {
        StringBuilder s = new StringBuilder();
        while (s.length() < length) {
            int k = r.nextInt(20);
            if (k == 0) {
                s.append(new String("é✓".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
            } else if (k == 1 && controlsAllowed) {
                s.append(r.nextBoolean() ? '\n' : '\t');
            } else if (k == 2) {
                s.append((char) (0xA0 + r.nextInt(0x60)));
            } else {
                s.append((char) (0x21 + r.nextInt(0x5E)));
            }
        }
        return s.substring(0, length);
    }

    static String moduleName(Random r) {
        StringBuilder s = new StringBuilder("fz_");
        for (int i = 1 + r.nextInt(10); i > 0; i--) {
            s.append(NAME_CHARS.charAt(r.nextInt(NAME_CHARS.length())));
        }
        return s.toString();
    }

    static Register randomRegister(Random r, String name) {
        List<String> classes = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            String c = "C" + classes.size() + text(r, r.nextInt(6), false).replaceAll("[^!-~]", "x");
            classes.add(c);
        }
        List<Register.Site> sites = new ArrayList<>();
        for (int i = 1 + r.nextInt(6); i > 0; i--) {
            int cls = classes.isEmpty() || r.nextBoolean() ? Protocol.CLASS_NONE : r.nextInt(classes.size());
            sites.add(new Register.Site("src/" + text(r, 1 + r.nextInt(20), false) + ".c", "fn_" + text(r, r.nextInt(12), false),
                    text(r, r.nextInt(60), true) + "\n", r.nextInt(Protocol.MAX_LINE + 1), cls));
        }
        return new Register(name, classes, sites);
    }

    static byte[] bytes(ByteBuffer frame) {
        ByteBuffer f = frame.duplicate();
        byte[] out = new byte[f.remaining()];
        f.get(out);
        return out;
    }

    /** A valid request of a random kind. */
    static byte[] template(Random r, Context ctx) {
        return switch (r.nextInt(10)) {
            case 0, 1, 2, 3, 4 -> bytes(randomRegister(r, r.nextInt(8) == 0 ? ctx.held().get(r.nextInt(ctx.held().size()))
                    : moduleName(r)).frame());
            case 5, 6 -> bytes(new Request.Load(ctx.loadPaths().subList(0, 1 + r.nextInt(ctx.loadPaths().size()))).frame());
            case 7, 8 -> bytes(new Request.Unload(r.nextBoolean() ? ctx.held().get(r.nextInt(ctx.held().size()))
                    : r.nextBoolean() ? ctx.fileModule() : moduleName(r)).frame());
            default -> bytes(new Request.ListModules().frame());
        };
    }

    /** What the generator needs to know of the daemon under test. */
    record Context(List<String> held, List<String> loadPaths, String fileModule) {
    }

    /** One damage to a frame (or run of frames). */
    static byte[] mutate(byte[] f, Random r) {
        if (f.length < 8) {
            byte[] more = new byte[1 + r.nextInt(8)];
            r.nextBytes(more);
            return concat(f, more);
        }
        byte[] out = f.clone();
        switch (r.nextInt(11)) {
            case 0 -> { // bit flips
                for (int i = 1 + r.nextInt(4); i > 0; i--) {
                    int at = r.nextInt(out.length);
                    out[at] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> out = Arrays.copyOf(out, r.nextInt(out.length)); // truncated
            case 2 -> { // the frame length lies
                int real = out.length - 4;
                int[] lies = {0, -1, 1, real - 1, real + 1, real - 2 - r.nextInt(Math.max(1, real)), real + 1 + r.nextInt(1000),
                        Protocol.MAX_FRAME, Protocol.MAX_FRAME + 1, Integer.MAX_VALUE, Integer.MIN_VALUE, r.nextInt()};
                ByteBuffer.wrap(out).putInt(0, lies[r.nextInt(lies.length)]);
            }
            case 3 -> { // a field length (any u16 past the version) lies
                if (out.length > 9) {
                    int at = 7 + r.nextInt(out.length - 8);
                    int[] lies = {0, 1, 0xFFFF, 0x7FFF, 4097, 256, r.nextInt(0x10000)};
                    ByteBuffer.wrap(out).putShort(at, (short) lies[r.nextInt(lies.length)]);
                }
            }
            case 4 -> { // overwritten range
                int at = r.nextInt(out.length);
                for (int i = at; i < Math.min(out.length, at + 1 + r.nextInt(16)); i++) {
                    out[i] = (byte) r.nextInt(256);
                }
            }
            case 5 -> { // bytes inserted
                int at = r.nextInt(out.length + 1);
                byte[] ins = new byte[1 + r.nextInt(8)];
                r.nextBytes(ins);
                out = concat(Arrays.copyOf(f, at), ins, Arrays.copyOfRange(f, at, f.length));
            }
            case 6 -> { // bytes deleted
                int at = r.nextInt(out.length);
                int len = Math.min(out.length - at, 1 + r.nextInt(8));
                out = concat(Arrays.copyOf(f, at), Arrays.copyOfRange(f, at + len, f.length));
            }
            case 7 -> out = concat(f, f); // the same frame twice
            case 8 -> { // garbage after a good frame
                byte[] g = new byte[1 + r.nextInt(40)];
                r.nextBytes(g);
                out = concat(f, g);
            }
            case 9 -> { // the type byte changed
                out[4] = (byte) new int[]{0, 5, 0x7f, 0x80, 0x81, 0x82, 0xff, 1, 2, 3, 4}[r.nextInt(11)];
            }
            default -> { // the version changed
                if (out.length >= 7) {
                    ByteBuffer.wrap(out).putShort(5, (short) new int[]{0, 2, 0xFFFF, 0x0100}[r.nextInt(4)]);
                }
            }
        }
        return out;
    }

    /** Noise: random bytes, or a plausible header with a random body. */
    static byte[] garbage(Random r) {
        if (r.nextBoolean()) {
            byte[] g = new byte[1 + r.nextInt(200)];
            r.nextBytes(g);
            return g;
        }
        byte[] body = new byte[1 + r.nextInt(120)];
        r.nextBytes(body);
        if (r.nextBoolean()) {
            body[0] = (byte) (1 + r.nextInt(4));   // a request type with a random payload
            if (body.length > 2 && r.nextBoolean()) {
                body[1] = 0;
                body[2] = 1;                       // and even the right version
            }
        }
        return bytes(ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).flip());
    }

    /** A fuzz input: a damaged valid request most of the time, sometimes two run together, sometimes noise. */
    static byte[] sample(Random r, Context ctx) {
        int k = r.nextInt(20);
        if (k < 3) {
            return garbage(r);
        }
        if (k < 5) {
            return template(r, ctx);    // undamaged, so good replies are exercised too
        }
        if (k < 7) {
            return concat(template(r, ctx), mutate(template(r, ctx), r));
        }
        byte[] m = mutate(template(r, ctx), r);
        return r.nextInt(4) == 0 ? mutate(m, r) : m;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
