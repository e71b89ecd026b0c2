package dev.dyndbgd.daemon;

import dev.dyndbgd.program.AdminRequests;
import dev.dyndbgd.program.PeerCredentials;
import dev.dyndbgd.program.ProgramModules;
import dev.dyndbgd.program.ProgramServer;
import dev.dyndbgd.selfdebug.SelfModule;

import java.io.IOException;
import java.nio.file.Path;

/** Wires the program socket to a started daemon: registrations, dyndbgctl requests, shared flags. */
final class Programs {
    private Programs() {
    }

    /** Serves {@code socket}; shared flags go in a {@code flags} directory beside it. */
    static ProgramServer serve(Daemon daemon, Path socket) throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        ProgramModules programs = new ProgramModules(daemon.registry(), daemon.log(), dir.resolve("flags"));
        AdminRequests admin = new AdminRequests(daemon.registry(), programs, daemon.log(), SelfModule.NAME);
        if (!PeerCredentials.available()) {
            daemon.log().warn("peer credentials unavailable (run with --add-opens java.base/sun.nio.ch=ALL-UNNAMED):"
                    + " load and unload requests will be refused");
        }
        return ProgramServer.start(socket, programs, admin, daemon.log());
    }
}
