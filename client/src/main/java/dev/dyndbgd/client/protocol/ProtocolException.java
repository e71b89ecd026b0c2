package dev.dyndbgd.client.protocol;

/** A request or reply that breaks the protocol; carries the errno the daemon answers with. */
public final class ProtocolException extends Exception {
    private final int errno;

    public ProtocolException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
