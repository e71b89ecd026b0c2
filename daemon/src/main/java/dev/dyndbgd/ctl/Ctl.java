package dev.dyndbgd.ctl;

import dev.dyndbgd.client.protocol.Frames;
import dev.dyndbgd.client.protocol.Protocol;
import dev.dyndbgd.client.protocol.ProtocolException;
import dev.dyndbgd.client.protocol.Reply;
import dev.dyndbgd.client.protocol.Request;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code dyndbgctl}: insmod, rmmod and lsmod for a running dyndbgd, over its socket. Exit status 0 on
 * success, 1 when the daemon refused (its errno and reason are printed), 2 on a usage error.
 */
@Command(name = "dyndbgctl", mixinStandardHelpOptions = true, version = "dyndbgctl 0.1.0",
        description = "Load and unload kernel-module files in a running dyndbgd, and list its modules.",
        subcommands = {Ctl.Load.class, Ctl.Unload.class, Ctl.Modules.class})
public final class Ctl {
    @Option(names = "--socket", paramLabel = "PATH", scope = CommandLine.ScopeType.INHERIT,
            description = "The daemon's socket. Default: $DYNDBGD_SOCKET, else /run/dyndbgd/dyndbgd.sock.")
    Path socket;

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new Ctl());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            System.err.println("dyndbgctl: " + e.getMessage());
            return 1;
        });
        System.exit(cli.execute(args));
    }

    private Path socketPath() {
        if (socket != null) {
            return socket;
        }
        String env = System.getenv("DYNDBGD_SOCKET");
        return Path.of(env != null && !env.isEmpty() ? env : Protocol.DEFAULT_SOCKET);
    }

    /** Sends one request, prints the daemon's answer, returns the exit status. */
    int call(Request request, String what) throws IOException {
        Path path = socketPath();
        Reply reply;
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            Frames.write(ch, request.frame());
            ByteBuffer body = Frames.read(ch);
            if (body == null) {
                throw new IOException("the daemon closed the connection without answering");
            }
            reply = Reply.decode(body);
        } catch (java.net.SocketException | java.nio.file.NoSuchFileException e) {
            String why = String.valueOf(e.getMessage());
            throw new IOException("cannot reach dyndbgd at " + path + " (" + why + ")"
                    + (why.contains("Permission denied") ? ": this user may not open the socket" : ": is it running?"));
        } catch (ProtocolException e) {
            throw new IOException("bad answer from the daemon: " + e.getMessage());
        }
        if (reply instanceof Reply.Result r) {
            String text = new String(r.text().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            if (r.errno() == 0) {
                System.out.print(text);
                return 0;
            }
            System.err.print("dyndbgctl: " + what + ": " + Protocol.errnoName(r.errno()) + ": " + text);
            return 1;
        }
        if (reply instanceof Reply.Failure f) {
            System.err.println("dyndbgctl: " + what + ": " + Protocol.errnoName(f.errno()) + ": " + f.message());
            return 1;
        }
        System.err.println("dyndbgctl: " + what + ": unexpected answer " + reply);
        return 1;
    }

    @Command(name = "load", description = "Load kernel-module files (.ko, .ko.xz, .ko.zst, .ko.gz) or directories of them.")
    static final class Load implements Callable<Integer> {
        @CommandLine.ParentCommand
        Ctl parent;
        @Parameters(arity = "1..*", paramLabel = "PATH")
        List<Path> paths;

        @Override
        public Integer call() throws IOException {
            // The daemon resolves paths in its own working directory: send absolute ones.
            List<String> abs = paths.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList();
            return parent.call(new Request.Load(abs), "load");
        }
    }

    @Command(name = "unload", description = "Remove a module loaded from a file (programs' modules go when they exit).")
    static final class Unload implements Callable<Integer> {
        @CommandLine.ParentCommand
        Ctl parent;
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws IOException {
            return parent.call(new Request.Unload(name), "unload " + name);
        }
    }

    @Command(name = "modules", description = "List the modules: name, call sites, owner.")
    static final class Modules implements Callable<Integer> {
        @CommandLine.ParentCommand
        Ctl parent;

        @Override
        public Integer call() throws IOException {
            return parent.call(new Request.ListModules(), "modules");
        }
    }
}
