package dev.dyndbgd.query;

/**
 * A query the kernel would refuse with -EINVAL. The message is the kernel's own error text (without
 * the {@code dyndbg: } prefix); {@link #followUp()} is the second line the kernel logs after it
 * ({@code flags parse failed}, {@code query parse failed} or {@code tokenize failed}).
 */
public final class QueryException extends Exception {
    private final String followUp;

    QueryException(String message) {
        this(message, null);
    }

    private QueryException(String message, String followUp) {
        super(message, null, false, false);
        this.followUp = followUp;
    }

    /** The same error, tagged with the stage summary the kernel prints after it. */
    QueryException withFollowUp(String stage) {
        return new QueryException(getMessage(), stage);
    }

    public String followUp() {
        return followUp;
    }
}
