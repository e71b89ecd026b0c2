package dev.dyndbgd.daemon;

import dev.dyndbgd.config.DaemonConfig;
import dev.dyndbgd.fuse.FuseMount;
import dev.dyndbgd.fuse.MountOptions;
import dev.dyndbgd.fuse.VirtualDirectory;
import dev.dyndbgd.log.DyndbgLog;
import dev.dyndbgd.memory.Footprint;
import dev.dyndbgd.reclaim.Reclaimer;
import dev.dyndbgd.control.ControlSnapshots;
import dev.dyndbgd.mount.MountTree;
import dev.dyndbgd.client.DebugSite;
import dev.dyndbgd.program.ProgramServer;
import dev.dyndbgd.selfdebug.SelfModule;
import dev.dyndbgd.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The daemon as a service: state restored, modules loaded, configured queries applied, the tree
 * mounted, systemd told it is ready; then it serves until SIGTERM or SIGINT, unmounts, saves and
 * exits 0.
 */
final class MountedService {
    private static final Logger LOG = LoggerFactory.getLogger("dyndbgd");
    private static final DebugSite MOUNTED = SelfModule.DEBUG.site("mounted %s with %s\n");

    private final DaemonConfig config;
    private final CountDownLatch stop = new CountDownLatch(1);
    private Footprint footprint;

    MountedService(DaemonConfig config) {
        this.config = config;
    }

    int run() throws IOException {
        DyndbgLog stateLog = new DyndbgLog(config.verbose());
        try (StateStore state = StateStore.open(config.stateFile(), stateLog)) {
            Daemon daemon = Daemon.start(config, state);
            ControlSnapshots snapshots = new ControlSnapshots(daemon.registry());
            Reclaimer reclaimer = new Reclaimer(daemon.bodies(), snapshots, daemon.log(), config.memoryBudget());
            reclaimer.watchLowMemory();
            daemon.registry().onAdd(t -> reclaimer.checkBudget());
            VirtualDirectory root = MountTree.build(daemon, snapshots, reclaimer, config.memoryBudget());
            MountOptions options = new MountOptions(config.allowOther(), config.defaultPermissions(), "dyndbgd");
            try (ProgramServer programs = Programs.serve(daemon, config.socket());
                 FuseMount mount = FuseMount.mount(root, config.mountPoint(), options)) {
                for (String sig : List.of("TERM", "INT", "HUP")) {
                    Signal.handle(new Signal(sig), s -> {
                        LOG.info("caught SIG{}: unmounting {}", s.getName(), mount.mountPoint());
                        stop.countDown();
                    });
                }
                // Loading's heap and C-heap growth goes back before anyone is told the daemon is ready.
                Footprint.settle("loaded and mounted");
                footprint = new Footprint(() -> daemon.registry().version() + mount.opens() + snapshots.cachedBytes(),
                        mount::releaseBuffers).watchIdle();
                String status = daemon.registry().tables().size() + " modules, " + daemon.registry().siteCount()
                        + " call sites at " + mount.mountPoint() + "/control; programs register at " + programs.socket();
                LOG.info("serving {}", status);
                MOUNTED.printf(mount.mountPoint(), options);
                SdNotify.notify("READY=1\nSTATUS=" + status + "\nMAINPID=" + ProcessHandle.current().pid());
                awaitStop();
                SdNotify.notify("STOPPING=1");
                footprint.close();
            }
        }
        LOG.info("stopped");
        return 0;
    }

    private void awaitStop() {
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
