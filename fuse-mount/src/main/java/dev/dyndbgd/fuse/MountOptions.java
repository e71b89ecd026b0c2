package dev.dyndbgd.fuse;

import java.util.ArrayList;
import java.util.List;

/**
 * How the tree is mounted.
 *
 * @param allowOther         let users other than the mounting one in (FUSE's {@code allow_other})
 * @param defaultPermissions let the kernel enforce the files' mode bits ({@code default_permissions})
 * @param fsName             the source name shown in the mount table
 */
public record MountOptions(boolean allowOther, boolean defaultPermissions, String fsName) {
    /** Largest single write the kernel hands over in one piece; larger writes arrive split in pieces this big. */
    public static final int MAX_WRITE = 131072;

    public static MountOptions defaults() {
        return new MountOptions(true, true, "dyndbgd");
    }

    /** The libfuse2 command-line options. */
    List<String> toArgs() {
        List<String> o = new ArrayList<>();
        o.add("fsname=" + fsName);
        o.add("subtype=" + fsName);
        // Every read and write must reach the daemon as issued: generated content has no size, and a
        // control write is one batch (cached writes would arrive later, merged or split in pages).
        o.add("direct_io");
        // One write(2) of up to MAX_WRITE bytes arrives as one request, so a 4095-byte batch is whole
        // and anything over the kernel's 4095-byte limit is seen (and refused) in one piece.
        o.add("big_writes");
        o.add("max_write=" + MAX_WRITE);
        // The tree's shape never changes while mounted, so the kernel may keep its lookups: an
        // "echo > control" then costs open, write and release, not a lookup too.
        o.add("entry_timeout=3600");
        // Attributes are not cached: after a write the kernel sets its idea of the file's size to
        // the write's end (43 for a 43-byte batch), and with cached attributes a concurrent reader's
        // fstat saw that size; readers that trust it (Java's readAllBytes) then stopped at byte 43.
        // Asking the daemon on every stat always gives size 0, as debugfs and /proc report.
        o.add("attr_timeout=0");
        // O_TRUNC arrives with open() instead of as a separate truncate request.
        o.add("atomic_o_trunc");
        if (allowOther) {
            o.add("allow_other");
        }
        if (defaultPermissions) {
            o.add("default_permissions");
        }
        return List.of("-o", String.join(",", o));
    }
}
