package dev.dyndbgd.fuse;

import java.util.ArrayList;
import java.util.List;

/**
 * How the tree is mounted.
 *
 * @param allowOther         let users other than the mounting one in (FUSE's {@code allow_other})
 * @param defaultPermissions let the kernel enforce the files' mode bits ({@code default_permissions})
 * @param fsName             the source name shown in the mount table, and the subtype ({@code fuse.NAME})
 */
public record MountOptions(boolean allowOther, boolean defaultPermissions, String fsName) {
    /**
     * Largest single write the kernel hands over in one piece; larger writes arrive split in pieces
     * this big. One write(2) of up to this many bytes is one request, so a 4095-byte batch is whole
     * and anything over the kernel's 4095-byte limit is seen (and refused) in one piece.
     */
    public static final int MAX_WRITE = 131072;

    public static MountOptions defaults() {
        return new MountOptions(true, true, "dyndbgd");
    }

    /** The options both ways of mounting share. */
    private List<String> common(int maxRead) {
        List<String> o = new ArrayList<>();
        if (allowOther) {
            o.add("allow_other");
        }
        if (defaultPermissions) {
            o.add("default_permissions");
        }
        o.add("max_read=" + maxRead);
        return o;
    }

    /** mount(2)'s data string for the FUSE file system type, as root mounts it. */
    String kernelData(int fd, long uid, long gid, int maxRead) {
        List<String> o = new ArrayList<>(List.of("fd=" + fd, "rootmode=40000", "user_id=" + uid, "group_id=" + gid));
        o.addAll(common(maxRead));
        return String.join(",", o);
    }

    /** fusermount3's -o argument (it adds fd, rootmode, user and group itself, and nosuid, nodev). */
    String fusermountOptions(int maxRead) {
        List<String> o = new ArrayList<>(List.of("fsname=" + fsName, "subtype=" + fsName));
        o.addAll(common(maxRead));
        return String.join(",", o);
    }
}
