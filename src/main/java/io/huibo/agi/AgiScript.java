package io.huibo.agi;

import io.vertx.core.Future;

/**
 * One FastAGI script, chosen by the path of {@code agi://host:port/<name>?query}. {@link #run} is
 * called on the connection's event loop; it must not block. The server closes the session when the
 * returned future completes (either way), so a script need not call {@link AgiSession#close()}.
 */
public interface AgiScript {

    /** The path the dialplan uses, e.g. {@code route}. */
    String name();

    Future<Void> run(AgiSession session);
}
