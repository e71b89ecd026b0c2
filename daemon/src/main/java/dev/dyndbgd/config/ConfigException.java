package dev.dyndbgd.config;

/** A configuration the daemon refuses to start with; the message names the file and line. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }
}
