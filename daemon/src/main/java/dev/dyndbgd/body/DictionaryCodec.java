package dev.dyndbgd.body;

/** A codec that compresses against a dictionary trained on the bodies themselves. */
public interface DictionaryCodec extends BodyCodec {
    boolean hasDictionary();

    /** The same codec using {@code dictionary}. */
    DictionaryCodec withDictionary(byte[] dictionary);

    /**
     * The codec to keep when no dictionary comes after all (too little to learn from): this one,
     * or, if it compressed a provisional first pass, the one that compresses for good.
     */
    default DictionaryCodec settled() {
        return this;
    }

    /** Gives back compression working memory after a bulk load (the next compress makes it anew). */
    default void releaseCompressor() {
    }
}
