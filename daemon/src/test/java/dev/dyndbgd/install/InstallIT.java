package dev.dyndbgd.install;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs after the jar is packaged (failsafe): installs into a temporary prefix with bin/install, checks
 * the launcher runs, and has systemd-analyze verify the installed unit.
 */
class InstallIT {
    @TempDir
    Path root;

    /** Runs a command; returns its standard output (its standard error goes to a file shown on failure). */
    private String run(List<String> cmd, int expected) throws IOException, InterruptedException {
        Path err = Files.createTempFile(root, "stderr", ".txt");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + cmd);
        assertEquals(expected, p.exitValue(), () -> cmd + "\n" + out + readQuietly(err));
        return out;
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void installedUnitVerifiesAndLauncherRuns() throws Exception {
        Path repo = Path.of("..").toAbsolutePath().normalize();
        Path prefix = root.resolve("usr/local");
        Path etc = root.resolve("etc/dyndbgd");
        Path units = root.resolve("etc/systemd/system");
        run(List.of(repo.resolve("bin/install").toString(), "--prefix", prefix.toString(), "--etc", etc.toString(),
                "--unit-dir", units.toString()), 0);
        assertTrue(Files.isRegularFile(etc.resolve("dyndbgd.conf")));
        String help = run(List.of(prefix.resolve("bin/dyndbgd").toString(), "--help"), 0);
        assertTrue(help.contains("--mount") && help.contains("--config"), help);
        String ctlHelp = run(List.of(prefix.resolve("bin/dyndbgctl").toString(), "--help"), 0);
        assertTrue(ctlHelp.contains("load") && ctlHelp.contains("unload") && ctlHelp.contains("modules"), ctlHelp);
        String unit = Files.readString(units.resolve("dyndbgd.service"));
        assertTrue(unit.contains("ExecStart=" + prefix + "/bin/dyndbgd --config " + etc + "/dyndbgd.conf"), unit);
        assertTrue(unit.contains("Type=notify"));
        assertTrue(unit.contains("RuntimeDirectory=dyndbgd"), "the socket's directory /run/dyndbgd comes from systemd");

        boolean haveSystemd = Files.isExecutable(Path.of("/usr/bin/systemd-analyze"));
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(haveSystemd, "CI must have systemd-analyze (package systemd)");
        }
        Assumptions.assumeTrue(haveSystemd, "systemd-analyze not installed");
        Path verifyErr = root.resolve("verify.txt");
        Process v = new ProcessBuilder("systemd-analyze", "verify", units.resolve("dyndbgd.service").toString())
                .redirectErrorStream(true).redirectOutput(verifyErr.toFile()).start();
        assertTrue(v.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, v.exitValue(), () -> readQuietly(verifyErr));
        assertEquals("", readQuietly(verifyErr).strip(), "systemd-analyze verify complained");
    }

    @Test
    void configShippedWithTheRepoParses() throws Exception {
        Path repo = Path.of("..").toAbsolutePath().normalize();
        String out = run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                repo.resolve("daemon/target/dyndbgd.jar").toString(), "--config", repo.resolve("conf/dyndbgd.conf").toString(),
                "--load", root.toString(), "--cat"), 0);
        assertTrue(out.startsWith("# filename:lineno [module]function flags format\n"), out);
    }
}
