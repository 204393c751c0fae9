package io.huibo.api;

import io.huibo.domain.PhoneNumber;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Parts of a request that several routes read the same way; what is wrong is an {@link InvalidRequestException}. */
final class RequestParts {
    private RequestParts() {
    }

    /** The {@code :number} path parameter, validated (it may reach a dial string). */
    static PhoneNumber number(RoutingContext ctx, String what) {
        String n = ctx.pathParam("number");
        if (!PhoneNumber.isValid(n)) {
            throw new InvalidRequestException("number", what + " must be digits with an optional leading +");
        }
        return PhoneNumber.of(n);
    }

    /** A JSON object body; none at all is an empty object. */
    static JsonObject optionalObject(RoutingContext ctx) {
        if (ctx.body() == null || ctx.body().length() == 0) {
            return new JsonObject();
        }
        try {
            return new JsonObject(ctx.body().buffer());
        } catch (DecodeException | ClassCastException e) {
            throw new InvalidRequestException(null, "the request body is not a valid JSON object");
        }
    }
}
