package dev.dyndbgd.client.protocol;

import java.nio.ByteBuffer;

/** What the daemon answers. */
public sealed interface Reply permits Reply.Registered, Reply.Result, Reply.Failure {

    ByteBuffer frame();

    /**
     * Registration accepted: map {@code flagsPath} read-only; byte i is site i's flags. The daemon has
     * already applied configured queries and saved state to those bytes.
     */
    record Registered(int sites, String flagsPath) implements Reply {
        @Override
        public ByteBuffer frame() {
            return new PayloadWriter(Protocol.REGISTERED).u32(sites).str(flagsPath).frame();
        }
    }

    /** The outcome of a load, unload or list: errno 0 and text, or an errno and what went wrong. */
    record Result(int errno, String text) implements Reply {
        @Override
        public ByteBuffer frame() {
            return new PayloadWriter(Protocol.RESULT).u32(errno).text(text).frame();
        }
    }

    /** The request was refused; the daemon closes the connection after sending this. */
    record Failure(int errno, String message) implements Reply {
        @Override
        public ByteBuffer frame() {
            return new PayloadWriter(Protocol.ERROR).u32(errno).str(message.length() > 4096 ? message.substring(0, 4096) : message).frame();
        }
    }

    static Reply decode(ByteBuffer body) throws ProtocolException {
        PayloadReader r = new PayloadReader(body);
        int type = r.u8("message type");
        Reply reply;
        switch (type) {
            case Protocol.REGISTERED -> {
                long n = r.u32("site count");
                reply = new Registered((int) Math.min(n, Integer.MAX_VALUE), r.str("flags path", Protocol.MAX_PATH));
            }
            case Protocol.RESULT -> reply = new Result((int) r.u32("errno"), r.text("result text"));
            case Protocol.ERROR -> reply = new Failure((int) r.u32("errno"), r.str("message", 4096));
            default -> throw new ProtocolException(Protocol.EPROTO, String.format("unknown reply type 0x%02x", type));
        }
        r.end("reply");
        return reply;
    }
}
