package io.huibo.api;

import io.huibo.auth.Principal;
import io.huibo.domain.Callback;
import io.huibo.policy.Profiles;
import io.huibo.service.NewCallback;
import io.vertx.ext.web.RoutingContext;

/**
 * Which retry profile a request gets: the one it names, else its key's default, else the server's
 * default; the name is stored with the callback. A name no profile has is refused (400), so a typo
 * never silently becomes the default.
 */
final class CallingRequests {
    private final Profiles profiles;

    /** @param profiles null: the built-in profile "default" only */
    CallingRequests(Profiles profiles) {
        this.profiles = profiles;
    }

    boolean known(String name) {
        return profiles == null ? io.huibo.dispatch.RetryPolicy.BUILT_IN.equals(name) : profiles.has(name);
    }

    String defaultName() {
        return profiles == null ? io.huibo.dispatch.RetryPolicy.BUILT_IN : profiles.defaultName();
    }

    String known() {
        return profiles == null ? "[" + io.huibo.dispatch.RetryPolicy.BUILT_IN + "]"
                : profiles.names().stream().sorted().toList().toString();
    }

    /** The request with its profile named; throws {@link InvalidRequestException} for an unknown one. */
    NewCallback resolve(NewCallback req, RoutingContext ctx) {
        Principal key = ctx == null ? null : ctx.get(HttpApi.PRINCIPAL);
        return resolve(req, key == null ? null : key.defaultProfile());
    }

    NewCallback resolve(NewCallback req, String keyProfile) {
        Callback.Calling c = req.calling();
        String name = c.profile();
        if (name != null && !known(name)) {
            throw new InvalidRequestException("profile", "unknown profile '" + name + "'; profiles are " + known());
        }
        if (name == null) {
            // a key's profile removed from the config since: the server's default serves it
            name = keyProfile != null && known(keyProfile) ? keyProfile : defaultName();
        }
        return req.withCalling(new Callback.Calling(name, c.notAfter(), c.timeZone()));
    }
}
