package dev.dyndbgd.body;

/** A codec that compresses against a dictionary trained on the bodies themselves. */
public interface DictionaryCodec extends BodyCodec {
    boolean hasDictionary();

    /** The same codec using {@code dictionary}. */
    DictionaryCodec withDictionary(byte[] dictionary);

    /** Gives back compression working memory after a bulk load (the next compress makes it anew). */
    default void releaseCompressor() {
    }
}
