package io.huibo.api;

import io.huibo.domain.CallState;
import io.huibo.domain.CallbackIds;
import io.huibo.domain.PhoneNumber;
import io.huibo.store.CallbackFilter;
import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The query of {@code GET /v1/callbacks} (and of the bulk cancel, without the paging): filters, a page
 * size and an opaque cursor, or a 400 naming the parameter. Strict like the body parser: an unknown
 * parameter is refused rather than ignored, since a typo would silently widen a list (or a cancel).
 */
public final class CallbackListParams {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;
    static final String METADATA_PREFIX = "metadata.";
    /** Metadata keys a filter may name: safe inside a JSON path without escaping. */
    private static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final int MAX_VALUE = 1000;
    private static final String CURSOR_VERSION = "c1:";
    private static final Set<String> FILTERS = Set.of("state", "number", "destination", "node", "createdFrom",
            "createdTo", "dueFrom", "dueTo", "endedFrom", "endedTo");
    private static final Set<String> PAGING = Set.of("limit", "cursor");

    /** @param before the id the page starts below (from the cursor), null for the first page */
    public record ListQuery(CallbackFilter filter, int limit, String before) {
    }

    private CallbackListParams() {
    }

    /** A list request: filters, {@code limit} (1-{@value #MAX_LIMIT}), {@code cursor}. */
    public static ListQuery list(MultiMap params) {
        CallbackFilter f = filter(params, true);
        int limit = DEFAULT_LIMIT;
        String l = single(params, "limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new InvalidRequestException("limit", "'limit' must be an integer from 1 to " + MAX_LIMIT);
            }
        }
        String c = single(params, "cursor");
        return new ListQuery(f, limit, c == null ? null : decodeCursor(c));
    }

    /** The filters only (a bulk cancel takes no paging). */
    public static CallbackFilter filterOnly(MultiMap params) {
        return filter(params, false);
    }

    private static CallbackFilter filter(MultiMap params, boolean paging) {
        for (String name : params.names()) {
            boolean known = FILTERS.contains(name) || (paging && PAGING.contains(name))
                    || name.startsWith(METADATA_PREFIX);
            if (!known) {
                throw new InvalidRequestException(name, "unknown parameter '" + name + "'");
            }
        }
        Set<CallState> states = EnumSet.noneOf(CallState.class);
        for (String v : params.getAll("state")) {
            for (String s : v.split(",", -1)) {
                try {
                    states.add(CallState.fromWire(s.trim()));
                } catch (IllegalArgumentException e) {
                    throw new InvalidRequestException("state", "'state' must be one or more of queued, dialing, "
                            + "completed, failed, cancelled (comma-separated), not '" + clip(s) + "'");
                }
            }
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (String name : params.names()) {
            if (!name.startsWith(METADATA_PREFIX)) {
                continue;
            }
            String key = name.substring(METADATA_PREFIX.length());
            if (!METADATA_KEY.matcher(key).matches()) {
                throw new InvalidRequestException(name, "a metadata filter is 'metadata.KEY=VALUE' with a KEY of "
                        + "1-64 letters, digits or _ . : -");
            }
            metadata.put(key, value(params, name));
        }
        Instant createdFrom = time(params, "createdFrom");
        Instant createdTo = time(params, "createdTo");
        Instant dueFrom = time(params, "dueFrom");
        Instant dueTo = time(params, "dueTo");
        Instant endedFrom = time(params, "endedFrom");
        Instant endedTo = time(params, "endedTo");
        order(createdFrom, createdTo, "createdTo");
        order(dueFrom, dueTo, "dueTo");
        order(endedFrom, endedTo, "endedTo");
        return new CallbackFilter(states, number(params, "number"), number(params, "destination"),
                value(params, "node"), createdFrom, createdTo, dueFrom, dueTo, endedFrom, endedTo, metadata);
    }

    private static void order(Instant from, Instant to, String field) {
        if (from != null && to != null && !to.isAfter(from)) {
            throw new InvalidRequestException(field, "'" + field + "' must be after the start of its range");
        }
    }

    private static String single(MultiMap params, String name) {
        List<String> all = params.getAll(name);
        if (all.size() > 1) {
            throw new InvalidRequestException(name, "'" + name + "' is given more than once");
        }
        return all.isEmpty() ? null : all.get(0);
    }

    private static String value(MultiMap params, String name) {
        String v = single(params, name);
        if (v != null && (v.isEmpty() || v.length() > MAX_VALUE)) {
            throw new InvalidRequestException(name, "'" + name + "' must be 1 to " + MAX_VALUE + " characters");
        }
        return v;
    }

    private static String number(MultiMap params, String name) {
        String v = plusFromForm(single(params, name));
        if (v == null) {
            return null;
        }
        try {
            return PhoneNumber.of(v).value();
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(name, "'" + name + "' must be a phone number: digits with an "
                    + "optional leading '+' (as %2B in a URL), nothing else");
        }
    }

    private static Instant time(MultiMap params, String name) {
        String v = plusFromForm(single(params, name));
        if (v == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException(name, "'" + name + "' must be an ISO-8601 date-time with an offset, "
                    + "like 2026-11-25T18:00:00Z (a '+' offset as %2B in a URL)");
        }
    }

    // ---- cursor

    /** Opaque to clients: the position (the last id of a page) in a versioned, URL-safe wrapping. */
    public static String encodeCursor(String lastId) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((CURSOR_VERSION + lastId).getBytes(StandardCharsets.US_ASCII));
    }

    static String decodeCursor(String cursor) {
        String raw;
        try {
            raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            raw = "";
        }
        if (!raw.startsWith(CURSOR_VERSION) || !CallbackIds.isValid(raw.substring(CURSOR_VERSION.length()))) {
            throw new InvalidRequestException("cursor", "'cursor' is not a cursor this API returned");
        }
        return raw.substring(CURSOR_VERSION.length());
    }

    /**
     * A query string decodes an unescaped '+' as a space; neither a number nor a date-time has a space,
     * so one there was a '+' ({@code ?number=+86...}, {@code ?dueFrom=...T18:00+08:00}).
     */
    private static String plusFromForm(String v) {
        return v == null ? null : v.replace(' ', '+');
    }

    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
