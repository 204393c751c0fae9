package io.huibo.boot;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** SIGHUP: read the configuration again and apply its node list. */
public final class ReloadOnHangup implements SignalHandler {
    private static final Logger log = LoggerFactory.getLogger(ReloadOnHangup.class);

    private final Instance instance;

    private ReloadOnHangup(Instance instance) {
        this.instance = instance;
    }

    /** Installs the handler; false where the platform has no SIGHUP. */
    public static boolean install(Instance instance) {
        try {
            Signal.handle(new Signal("HUP"), new ReloadOnHangup(instance));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public void handle(Signal sig) {
        log.info("SIGHUP: reloading the node list");
        instance.reloadNodes();
    }
}
