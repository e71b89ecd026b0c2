package dev.dyndbgd.state;

import java.io.IOException;

/**
 * The saved state could not take a batch's changes (a full disk, an I/O error). The file was put back
 * as it was, so it still holds exactly the acknowledged changes; the caller undoes the batch and
 * tells the writer ({@code ENOSPC} or {@code EIO}) instead of acknowledging a change that a restart
 * would lose.
 */
public final class StateSaveException extends RuntimeException {
    private final boolean noSpace;

    StateSaveException(String message, IOException cause) {
        super(message, cause);
        String m = String.valueOf(cause.getMessage());
        this.noSpace = m.contains("No space left") || m.contains("Disk quota exceeded");
    }

    /** True for a full disk (ENOSPC/EDQUOT), false for any other I/O error (EIO). */
    public boolean noSpace() {
        return noSpace;
    }
}
