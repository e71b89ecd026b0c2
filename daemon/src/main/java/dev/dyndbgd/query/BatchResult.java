package dev.dyndbgd.query;

/**
 * What one write to {@code control} did: how many queries ran, how many sites they matched, how many
 * failed; and the value {@code write(2)} returns for it.
 */
public record BatchResult(int queries, int matches, int errors, Status status) {
    public enum Status {
        /** Every query parsed; {@code write} returns the byte count. */
        OK,
        /** At least one query failed (the others still applied): EINVAL. */
        EINVAL,
        /** The write was longer than the kernel accepts and was not looked at: E2BIG. */
        E2BIG
    }

    public boolean ok() {
        return status == Status.OK;
    }
}
