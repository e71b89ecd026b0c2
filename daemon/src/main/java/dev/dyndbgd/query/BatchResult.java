package dev.dyndbgd.query;

/**
 * What one write to {@code control} did: how many queries ran, how many sites they matched, how many
 * failed; and the value {@code write(2)} returns for it.
 */
public record BatchResult(int queries, int matches, int errors, Status status, RuntimeException notSavedBecause) {
    public enum Status {
        /** Every query parsed; {@code write} returns the byte count. */
        OK,
        /** At least one query failed (the others still applied): EINVAL. */
        EINVAL,
        /** The write was longer than the kernel accepts and was not looked at: E2BIG. */
        E2BIG,
        /**
         * The batch applied but could not be kept (the saved state's disk is full or failing), so it was
         * undone: ENOSPC or EIO. No kernel case; the promise kept is that an acknowledged change survives.
         */
        NOT_SAVED
    }

    public BatchResult(int queries, int matches, int errors, Status status) {
        this(queries, matches, errors, status, null);
    }

    public boolean ok() {
        return status == Status.OK;
    }
}
