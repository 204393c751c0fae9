package io.huibo.api;

import io.huibo.auth.Principal;
import io.huibo.guards.GuardRefusedException;
import io.huibo.guards.Guards;
import io.huibo.service.NewCallback;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/** The toll-fraud guards at the API's doors: the answer for a request, and its problem document. */
final class GuardCheck {
    private GuardCheck() {
    }

    /**
     * The rules, then the limits (counted only when the rules let it through); empty: the request may be
     * stored. Fails when the limits cannot be read (Redis): the caller answers 503, never "allowed".
     */
    static Future<Optional<GuardRefusedException>> check(Guards guards, NewCallback req, Principal key) {
        if (guards == null) {
            return Future.succeededFuture(Optional.empty());
        }
        Optional<Guards.Refused> no = guards.rules(req, rules(key));
        if (no.isPresent()) {
            return Future.succeededFuture(Optional.of(GuardRefusedException.of(no.get())));
        }
        return guards.limits(req, key == null ? null : key.keyId()).map(t -> t.map(GuardRefusedException::of));
    }

    static Guards.KeyRules rules(Principal key) {
        return key == null ? Guards.KeyRules.NONE : new Guards.KeyRules(key.allow(), key.deny());
    }

    static JsonObject problem(GuardRefusedException e) {
        JsonObject body = Problems.body(e.status(), e.status() == 429 ? "Too many requests" : "Refused by a guard",
                e.getMessage(), e.field()).put("guard", e.guard());
        if (e.status() == 429) {
            body.put("retryAfter", e.retryAfterSeconds());
        }
        return body;
    }

    static void send(RoutingContext ctx, GuardRefusedException e) {
        if (e.status() == 429 && !ctx.response().ended()) {
            ctx.response().putHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        Problems.send(ctx, problem(e));
    }

    static void unavailable(RoutingContext ctx) {
        Problems.storeDown(ctx, "the toll-fraud limits could not be checked (Redis); nothing was stored, retry");
    }
}
