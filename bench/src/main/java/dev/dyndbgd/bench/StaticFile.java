package dev.dyndbgd.bench;

import dev.dyndbgd.fuse.OpenFile;
import dev.dyndbgd.fuse.VirtualFile;

/** A read-only virtual file serving fixed bytes: what the FUSE path costs with no work behind it. */
record StaticFile(String name, byte[] bytes) implements VirtualFile {
    @Override
    public int permissions() {
        return 0444;
    }

    @Override
    public boolean writable() {
        return false;
    }

    @Override
    public OpenFile open(int flags) {
        return new OpenFile() {
            @Override
            public int read(long offset, byte[] dst) {
                if (offset >= bytes.length) {
                    return 0;
                }
                int n = (int) Math.min(dst.length, bytes.length - offset);
                System.arraycopy(bytes, (int) offset, dst, 0, n);
                return n;
            }

            @Override
            public int write(long offset, byte[] data) {
                return 0;
            }
        };
    }
}
