package dev.dyndbgd.client.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What a program or {@code dyndbgctl} sends the daemon. Every request frame is its type byte, the
 * protocol version (u16) and the request's fields.
 */
public sealed interface Request permits Register, Request.Load, Request.Unload, Request.ListModules {

    /** The whole frame, length prefix included. */
    ByteBuffer frame();

    /** Loads kernel-module files (paths as the daemon sees them). */
    record Load(List<String> paths) implements Request {
        public Load {
            paths = List.copyOf(paths);
        }

        @Override
        public ByteBuffer frame() {
            PayloadWriter w = new PayloadWriter(Protocol.LOAD).u16(Protocol.VERSION).u16(paths.size());
            for (String p : paths) {
                w.str(p);
            }
            return w.frame();
        }
    }

    /** Removes a table loaded from a file. */
    record Unload(String module) implements Request {
        @Override
        public ByteBuffer frame() {
            return new PayloadWriter(Protocol.UNLOAD).u16(Protocol.VERSION).str(module).frame();
        }
    }

    /** Lists the tables with their site counts and owners. */
    record ListModules() implements Request {
        @Override
        public ByteBuffer frame() {
            return new PayloadWriter(Protocol.LIST).u16(Protocol.VERSION).frame();
        }
    }

    /** Decodes a frame body (type byte first); every malformation is a {@link ProtocolException}. */
    static Request decode(ByteBuffer body) throws ProtocolException {
        PayloadReader r = new PayloadReader(body);
        int type = r.u8("message type");
        if (type != Protocol.REGISTER && type != Protocol.LOAD && type != Protocol.UNLOAD && type != Protocol.LIST) {
            throw new ProtocolException(Protocol.EPROTO, String.format("unknown request type 0x%02x", type));
        }
        int version = r.u16("protocol version");
        if (version != Protocol.VERSION) {
            throw new ProtocolException(Protocol.EPROTONOSUPPORT,
                    "protocol version " + version + " is not supported; this daemon speaks " + Protocol.VERSION);
        }
        switch (type) {
            case Protocol.REGISTER:
                return Register.read(r);
            case Protocol.LOAD: {
                int n = r.u16("path count");
                if (n == 0 || n > Protocol.MAX_LOAD_PATHS) {
                    throw new ProtocolException(Protocol.EINVAL, n + " paths; 1.." + Protocol.MAX_LOAD_PATHS + " allowed");
                }
                List<String> paths = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    String p = r.str("path", Protocol.MAX_PATH);
                    if (p.isEmpty() || p.indexOf('\0') >= 0) {
                        throw new ProtocolException(Protocol.EINVAL, "empty path or path with a NUL byte");
                    }
                    paths.add(p);
                }
                r.end("LOAD");
                return new Load(paths);
            }
            case Protocol.UNLOAD: {
                String name = r.str("module name", 255);
                ModuleNames.check(name);
                r.end("UNLOAD");
                return new Unload(name);
            }
            default:
                r.end("LIST");
                return new ListModules();
        }
    }
}
