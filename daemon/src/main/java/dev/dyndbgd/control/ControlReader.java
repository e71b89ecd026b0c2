package dev.dyndbgd.control;

/** One reader's view of control, readable at any offset (a FUSE read may ask for any). */
public interface ControlReader {
    /** Copies bytes from {@code offset} into {@code dst}; returns how many (0 at the end). */
    int read(long offset, byte[] dst);
}
