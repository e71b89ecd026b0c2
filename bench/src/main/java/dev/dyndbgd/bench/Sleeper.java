package dev.dyndbgd.bench;

/**
 * The floor of any Java daemon: a JVM that starts, prints that it is up and sleeps. The footprint
 * report starts it with the daemon's own JVM options, so the two are compared like for like.
 */
public final class Sleeper {
    private Sleeper() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println("sleeping");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
