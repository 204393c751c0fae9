package io.huibo.boot;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The JVM's shutdown hook (SIGTERM, SIGINT): stops the instance, then lets {@code serve} return. */
public final class StopOnShutdown extends Thread {
    private static final Logger log = LoggerFactory.getLogger(StopOnShutdown.class);

    private final Instance instance;
    private final CountDownLatch stopped = new CountDownLatch(1);

    public StopOnShutdown(Instance instance) {
        super("huibo-shutdown");
        this.instance = instance;
    }

    @Override
    public void run() {
        log.info("stopping");
        try {
            instance.close();
        } finally {
            stopped.countDown();
        }
    }

    /** Blocks until the instance was stopped by the hook. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }
}
