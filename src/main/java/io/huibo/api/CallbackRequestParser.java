package io.huibo.api;

import io.huibo.domain.CallFlow;
import io.huibo.domain.Callback;
import io.huibo.domain.PhoneNumber;
import io.huibo.service.NewCallback;
import io.huibo.webhooks.WebhookUrls;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Turns the body of {@code POST /v1/callbacks} into a {@link NewCallback}, or refuses it naming the
 * field. Strict on purpose: an unknown field is more likely a typo ("destinaton") than a feature.
 */
public final class CallbackRequestParser {
    private static final Set<String> FIELDS =
            Set.of("number", "destination", "at", "priority", "maxAttempts", "callerId", "metadata", "flow", "confirm",
                    "webhook", "profile", "notAfter", "timeZone");
    private static final int MAX_IDEMPOTENCY_KEY = 128;

    private CallbackRequestParser() {
    }

    public static NewCallback parse(Buffer body, String idempotencyKey) {
        return parse(body, idempotencyKey, null);
    }

    /** @param webhooks the rule for {@code webhook} URLs; null: this server sends no webhooks */
    public static NewCallback parse(Buffer body, String idempotencyKey, WebhookUrls webhooks) {
        if (body == null || body.length() == 0) {
            throw new InvalidRequestException(null, "the request body must be a JSON object");
        }
        JsonObject json;
        try {
            json = new JsonObject(body);
        } catch (DecodeException | ClassCastException e) {
            throw new InvalidRequestException(null, "the request body is not a valid JSON object");
        }
        for (String name : json.fieldNames()) {
            if (!FIELDS.contains(name)) {
                throw new InvalidRequestException(name, "unknown field '" + name + "'");
            }
        }
        PhoneNumber number = phone(json, "number", true, true);
        PhoneNumber destination = phone(json, "destination", true, false);
        PhoneNumber callerId = phone(json, "callerId", false, false);
        Instant at = instant(json, "at");
        int priority = integer(json, "priority", Callback.MIN_PRIORITY, Callback.MAX_PRIORITY, Callback.DEFAULT_PRIORITY);
        int maxAttempts = integer(json, "maxAttempts", Callback.MIN_ATTEMPTS, Callback.MAX_ATTEMPTS,
                Callback.DEFAULT_MAX_ATTEMPTS);
        Map<String, String> metadata = metadata(json);
        if (idempotencyKey != null) {
            if (idempotencyKey.isEmpty() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY
                    || !idempotencyKey.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new InvalidRequestException("Idempotency-Key",
                        "Idempotency-Key must be 1-" + MAX_IDEMPOTENCY_KEY + " printable ASCII characters");
            }
        }
        CallFlow flow = flow(json);
        Object confirm = json.getValue("confirm");
        if (confirm != null && !(confirm instanceof Boolean)) {
            throw new InvalidRequestException("confirm", "'confirm' must be true or false");
        }
        return new NewCallback(number, destination, at, priority, maxAttempts, callerId, metadata, idempotencyKey,
                flow, Boolean.TRUE.equals(confirm), webhook(json, webhooks), calling(json, at));
    }

    /** {@code profile} (its name; whether it exists is the server's to say), {@code notAfter}, {@code timeZone}. */
    private static Callback.Calling calling(JsonObject json, Instant at) {
        Object p = json.getValue("profile");
        if (p != null && !(p instanceof String ps && io.huibo.policy.RetryProfile.NAME.matcher(ps).matches())) {
            throw new InvalidRequestException("profile", "'profile' must be a profile name: 1-64 letters, digits, _ . -");
        }
        Instant notAfter = instant(json, "notAfter");
        if (notAfter != null && at != null && !notAfter.isAfter(at)) {
            throw new InvalidRequestException("notAfter", "'notAfter' must be after 'at'");
        }
        Object tz = json.getValue("timeZone");
        if (tz != null && !(tz instanceof String tzs && io.huibo.policy.CalleeZones.validZone(tzs))) {
            throw new InvalidRequestException("timeZone",
                    "'timeZone' must be an IANA time zone id, like Europe/Berlin or America/New_York");
        }
        return new Callback.Calling((String) p, notAfter, (String) tz);
    }

    private static String webhook(JsonObject json, WebhookUrls rule) {
        Object v = json.getValue("webhook");
        if (v == null) {
            return null;
        }
        if (rule == null) {
            throw new InvalidRequestException("webhook", "this server sends no webhooks (webhooks.secret is not set)");
        }
        if (!(v instanceof String s)) {
            throw new InvalidRequestException("webhook", "'webhook' must be a URL string");
        }
        rule.problem(s).ifPresent(p -> {
            throw new InvalidRequestException("webhook", "'webhook' " + p);
        });
        return s;
    }

    private static CallFlow flow(JsonObject json) {
        Object v = json.getValue("flow");
        if (v == null) {
            return CallFlow.CUSTOMER_FIRST;
        }
        try {
            return CallFlow.fromWire(String.valueOf(v));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("flow", "'flow' must be \"customer-first\" or \"agent-first\"");
        }
    }

    private static PhoneNumber phone(JsonObject json, String field, boolean required, boolean e164) {
        Object v = json.getValue(field);
        if (v == null) {
            if (required) {
                throw new InvalidRequestException(field, "'" + field + "' is required");
            }
            return null;
        }
        if (!(v instanceof String s)) {
            throw new InvalidRequestException(field, "'" + field + "' must be a string");
        }
        try {
            return e164 ? PhoneNumber.e164(s) : PhoneNumber.of(s);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(field, e164
                    ? "'" + field + "' must be an E.164 number: '+' and 6 to 15 digits, nothing else"
                    : "'" + field + "' must be a phone number: digits with an optional leading '+', nothing else");
        }
    }

    private static Instant instant(JsonObject json, String field) {
        Object v = json.getValue(field);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw new InvalidRequestException(field, "'" + field + "' must be an ISO-8601 date-time string");
        }
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException(field,
                    "'" + field + "' must be an ISO-8601 date-time with an offset, like 2026-11-25T18:00:00Z");
        }
    }

    static int integer(JsonObject json, String field, int min, int max, int dflt) {
        Object v = json.getValue(field);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < min
                || ((Number) v).longValue() > max) {
            throw new InvalidRequestException(field, "'" + field + "' must be an integer from " + min + " to " + max);
        }
        return ((Number) v).intValue();
    }

    private static Map<String, String> metadata(JsonObject json) {
        Object v = json.getValue("metadata");
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof JsonObject m)) {
            throw new InvalidRequestException("metadata", "'metadata' must be an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : m) {
            if (!(e.getValue() instanceof String s)) {
                throw new InvalidRequestException("metadata", "'metadata." + e.getKey() + "' must be a string");
            }
            out.put(e.getKey(), s);
        }
        int size = m.encode().getBytes(StandardCharsets.UTF_8).length;
        if (size > Callback.MAX_METADATA_BYTES) {
            throw new InvalidRequestException("metadata",
                    "'metadata' is " + size + " bytes; at most " + Callback.MAX_METADATA_BYTES + " are allowed");
        }
        return out;
    }
}
