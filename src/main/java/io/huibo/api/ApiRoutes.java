package io.huibo.api;

import io.vertx.ext.web.Router;

/**
 * A group of API resources that mounts itself on the router, behind the bearer-token check that
 * covers {@code /v1/*}. Errors go out through {@link Problems} like everywhere else.
 */
@FunctionalInterface
public interface ApiRoutes {
    void mount(Router router);
}
