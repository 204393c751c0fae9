package io.huibo.api;

import io.huibo.domain.Callback;
import io.huibo.queue.QueueAdmin;
import io.huibo.service.CallbackOperations;
import io.huibo.service.CallbackOperations.BulkResult;
import io.huibo.service.CallbackOperations.RequeueOutcome;
import io.huibo.service.CallbackOperations.RescheduleOutcome;
import io.huibo.store.CallbackFilter;
import io.huibo.store.StateChange;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's side of {@code /v1/callbacks} and the schedule (contract in README.md, "HTTP API"):
 * list with filters and cursors, state history, requeue, reschedule, bulk submit and cancel, and
 * {@code GET /v1/queue}.
 */
public final class CallbackOpsApi implements ApiRoutes {
    private static final Logger log = LoggerFactory.getLogger(CallbackOpsApi.class);
    private static final String JSON = "application/json";

    private final CallbackOperations ops;

    /** Whether webhooks are on: a key's webhook is given to bulk rows only then. */
    private final boolean webhooksOn;
    private final CallingRequests calling;

    public CallbackOpsApi(CallbackOperations ops) {
        this(ops, false);
    }

    /** The toll-fraud guards, asked for each bulk row before any is stored; null: none. */
    private final io.huibo.guards.Guards guards;

    public CallbackOpsApi(CallbackOperations ops, boolean webhooksOn) {
        this(ops, webhooksOn, null, null);
    }

    /** @param profiles the retry profiles a row may name; null: the built-in "default" only */
    public CallbackOpsApi(CallbackOperations ops, boolean webhooksOn, io.huibo.guards.Guards guards,
                          io.huibo.policy.Profiles profiles) {
        this.calling = new CallingRequests(profiles);
        this.webhooksOn = webhooksOn;
        this.ops = ops;
        this.guards = guards;
    }

    @Override
    public void mount(Router router) {
        router.get("/v1/callbacks").handler(this::list);
        router.post("/v1/callbacks/bulk").handler(this::bulk);
        router.post("/v1/callbacks/cancel").handler(this::cancelMatching);
        router.get("/v1/callbacks/:id/events").handler(this::events);
        router.post("/v1/callbacks/:id/requeue").handler(this::requeue);
        router.patch("/v1/callbacks/:id").handler(this::reschedule);
        router.get("/v1/queue").handler(this::queue);
    }

    // ---- reads

    private void list(RoutingContext ctx) {
        CallbackListParams.ListQuery q = CallbackListParams.list(ctx.queryParams());
        ops.list(q.filter(), q.before(), q.limit()).onComplete(ar -> {
            if (ar.failed()) {
                unavailable(ctx, "list", ar.cause());
                return;
            }
            JsonArray items = new JsonArray();
            ar.result().items().forEach(cb -> items.add(CallbackJson.summary(cb)));
            String next = ar.result().nextBefore();
            ok(ctx, 200, new JsonObject().put("items", items)
                    .put("nextCursor", next == null ? null : CallbackListParams.encodeCursor(next)));
        });
    }

    private void events(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        ops.events(id).onComplete(ar -> {
            if (ar.failed()) {
                unavailable(ctx, "events", ar.cause());
            } else if (ar.result().isEmpty()) {
                notFound(ctx, id);
            } else {
                JsonArray events = new JsonArray();
                for (StateChange e : ar.result().get()) {
                    events.add(new JsonObject().put("at", e.at().toString()).put("from", e.from().wire())
                            .put("to", e.to().wire()).put("detail", e.detail()));
                }
                ok(ctx, 200, new JsonObject().put("id", id).put("events", events));
            }
        });
    }

    private void queue(RoutingContext ctx) {
        if (!ctx.queryParams().isEmpty()) {
            String name = ctx.queryParams().names().iterator().next();
            throw new InvalidRequestException(name, "unknown parameter '" + name + "'");
        }
        ops.queue().onComplete(ar -> {
            if (ar.failed()) {
                unavailable(ctx, "queue figures", ar.cause());
                return;
            }
            QueueAdmin.Stats s = ar.result().schedule();
            JsonObject byPriority = new JsonObject();
            for (int p = 9; p >= 0; p--) {
                byPriority.put(Integer.toString(p), new JsonObject().put("waiting", s.waiting().get(p))
                        .put("dueNow", s.dueNow().get(p)));
            }
            Instant oldest = s.oldestDueAt();
            ok(ctx, 200, new JsonObject()
                    .put("waiting", s.totalWaiting())
                    .put("dueNow", s.totalDueNow())
                    .put("byPriority", byPriority)
                    .put("oldestDueAt", oldest == null ? null : oldest.toString())
                    // how late the most overdue callback is (0 when nothing is overdue)
                    .put("oldestDueLagSeconds", oldest == null || !oldest.isBefore(s.now()) ? 0.0
                            : (s.now().toEpochMilli() - oldest.toEpochMilli()) / 1000.0)
                    .put("leased", s.leased())
                    .put("parked", s.parked())
                    .put("attemptsLastMinute", ar.result().attemptsInWindow())
                    .put("dialRatePerSecond", Math.round(ar.result().dialRatePerSecond() * 100) / 100.0)
                    .put("at", s.now().toString()));
        });
    }

    // ---- requeue, reschedule

    private void requeue(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        JsonObject body = optionalObject(ctx, Set.of("maxAttempts", "at"));
        int budget = CallbackRequestParser.integer(body, "maxAttempts", Callback.MIN_ATTEMPTS, Callback.MAX_ATTEMPTS,
                Callback.DEFAULT_MAX_ATTEMPTS);
        Instant at = instant(body, "at");
        ops.requeue(id, budget, at).onComplete(ar -> {
            if (ar.failed()) {
                unavailable(ctx, "requeue", ar.cause());
                return;
            }
            RequeueOutcome o = ar.result();
            if (o instanceof RequeueOutcome.Requeued r) {
                ok(ctx, 200, CallbackJson.summary(r.callback()));
            } else if (o instanceof RequeueOutcome.Refused r) {
                Problems.send(ctx, 409, "Conflict", r.reason(), null);
            } else {
                notFound(ctx, id);
            }
        });
    }

    private void reschedule(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        JsonObject body = optionalObject(ctx, Set.of("at", "priority"));
        Instant at = instant(body, "at");
        Integer priority = body.containsKey("priority")
                ? CallbackRequestParser.integer(body, "priority", Callback.MIN_PRIORITY, Callback.MAX_PRIORITY, 0) : null;
        if (at == null && priority == null) {
            throw new InvalidRequestException(null, "give 'at', 'priority' or both");
        }
        ops.reschedule(id, at, priority).onComplete(ar -> {
            if (ar.failed()) {
                unavailable(ctx, "reschedule", ar.cause());
                return;
            }
            RescheduleOutcome o = ar.result();
            if (o instanceof RescheduleOutcome.Rescheduled r) {
                ok(ctx, 200, CallbackJson.summary(r.callback()));
            } else if (o instanceof RescheduleOutcome.Refused r) {
                Problems.send(ctx, 409, "Conflict", r.reason(), null);
            } else {
                notFound(ctx, id);
            }
        });
    }

    // ---- bulk

    private void bulk(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        String mime = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase();
        List<CallbackOperations.BulkRow> rows = switch (mime) {
            case "application/json" -> BulkRequestParser.json(ctx.body().buffer());
            case "text/csv" -> BulkRequestParser.csv(ctx.body().buffer());
            default -> {
                Problems.send(ctx, 415, "Unsupported media type",
                        "send a JSON array (application/json) or CSV with a header line (text/csv)", "Content-Type");
                yield null;
            }
        };
        if (rows == null) {
            return;
        }
        // each row's profile as a single submit's: named, else the key's, else the default; unknown: the row is invalid
        io.huibo.auth.Principal principal = ctx.get(HttpApi.PRINCIPAL);
        String keyProfile = principal == null ? null : principal.defaultProfile();
        List<CallbackOperations.BulkRow> profiled = rows.stream().map(r -> {
            if (r.invalid() != null) {
                return r;
            }
            try {
                return CallbackOperations.BulkRow.valid(calling.resolve(r.request(), keyProfile));
            } catch (InvalidRequestException e) {
                return CallbackOperations.BulkRow.invalid(e);
            }
        }).toList();
        // each row passes the toll-fraud guards as a single submit does: a refused row is a row's problem
        // (422 or 429), nothing of it stored; Redis unreachable refuses the whole request (503)
        List<io.vertx.core.Future<CallbackOperations.BulkRow>> checked = new java.util.ArrayList<>();
        for (CallbackOperations.BulkRow row : profiled) {
            checked.add(row.request() == null ? io.vertx.core.Future.succeededFuture(row)
                    : GuardCheck.check(guards, row.request(), principal).map(no -> no.isEmpty() ? row
                            : CallbackOperations.BulkRow.invalid(no.get())));
        }
        io.vertx.core.Future.all(checked).onComplete(g -> {
            if (g.failed()) {
                log.warn("toll-fraud limits unavailable: {}", g.cause().toString());
                GuardCheck.unavailable(ctx);
                return;
            }
            List<CallbackOperations.BulkRow> guarded = new java.util.ArrayList<>();
            for (int i = 0; i < profiled.size(); i++) {
                guarded.add(g.result().resultAt(i));
            }
            bulkStore(ctx, guarded);
        });
    }

    private void bulkStore(RoutingContext ctx, List<CallbackOperations.BulkRow> rows) {
        // bulk rows name no webhook of their own; the key's serves them, as it does a single submit
        ops.bulkSubmit(rows, HttpApi.keyWebhook(ctx, webhooksOn)).onComplete(ar -> {
            if (ar.failed()) {
                unavailable(ctx, "bulk submit", ar.cause());
                return;
            }
            JsonArray results = new JsonArray();
            int accepted = 0;
            int rejected = 0;
            int failed = 0;
            int duplicates = 0;
            for (BulkResult r : ar.result()) {
                JsonObject o = new JsonObject().put("index", r.index());
                if (r.callback() != null) {
                    o.put("id", r.callback().id()).put("state", r.callback().state().wire())
                            .put("dueAt", r.callback().dueAt().toString());
                }
                if (r.invalid() instanceof io.huibo.contacts.DoNotCallException dnc) {
                    rejected++;
                    o.put("problem", Problems.body(422, "Do not call", dnc.getMessage(), "number"));
                } else if (r.invalid() instanceof io.huibo.guards.GuardRefusedException ge) {
                    rejected++;
                    o.put("problem", GuardCheck.problem(ge));
                } else if (r.invalid() != null) {
                    rejected++;
                    String field = r.invalid() instanceof InvalidRequestException e ? e.field() : null;
                    o.put("problem", Problems.body(400, "Invalid request", r.invalid().getMessage(), field));
                } else if (r.error() != null) {
                    failed++;
                    o.put("problem", Problems.body(503, "Service unavailable", r.callback() == null
                            ? "this row's batch could not be stored; send the row again"
                            : "stored but not yet scheduled; POST /v1/callbacks/" + r.callback().id()
                                    + "/requeue schedules it", null));
                } else {
                    accepted++;
                }
                if (r.duplicate()) {
                    // deduplication: the row's id is the active callback of its number and destination
                    duplicates++;
                    o.put("duplicate", true);
                }
                results.add(o);
            }
            ok(ctx, 200, new JsonObject().put("accepted", accepted).put("rejected", rejected).put("failed", failed)
                    .put("duplicates", duplicates).put("results", results));
        });
    }

    private void cancelMatching(RoutingContext ctx) {
        CallbackFilter f = CallbackListParams.filterOnly(ctx.queryParams());
        if (!f.narrowsBeyondState()) {
            throw new InvalidRequestException(null,
                    "a bulk cancel needs at least one filter besides 'state' (it would cancel every queued callback)");
        }
        if (!f.states().isEmpty() && !f.states().equals(Set.of(io.huibo.domain.CallState.QUEUED))) {
            throw new InvalidRequestException("state", "only queued callbacks can be cancelled: leave 'state' out "
                    + "or give 'queued'");
        }
        ops.cancelMatching(f).onComplete(ar -> {
            if (ar.failed()) {
                unavailable(ctx, "bulk cancel", ar.cause());
                return;
            }
            CallbackOperations.CancelCounts c = ar.result();
            ok(ctx, 200, new JsonObject().put("matched", c.matched()).put("cancelled", c.cancelled())
                    .put("notCancelled", c.notCancelled()));
        });
    }

    // ---- shapes and helpers

    /** An empty body is an empty object; anything else must be an object of the named fields. */
    private static JsonObject optionalObject(RoutingContext ctx, Set<String> fields) {
        Buffer b = ctx.body().buffer();
        if (b == null || b.toString().isBlank()) {
            return new JsonObject();
        }
        JsonObject o;
        try {
            o = new JsonObject(b);
        } catch (DecodeException | ClassCastException e) {
            throw new InvalidRequestException(null, "the request body is not a valid JSON object");
        }
        for (String name : o.fieldNames()) {
            if (!fields.contains(name)) {
                throw new InvalidRequestException(name, "unknown field '" + name + "'");
            }
        }
        return o;
    }

    private static Instant instant(JsonObject o, String field) {
        Object v = o.getValue(field);
        if (v == null) {
            return null;
        }
        try {
            if (v instanceof String s) {
                return OffsetDateTime.parse(s).toInstant();
            }
        } catch (DateTimeParseException e) {
            // refused below
        }
        throw new InvalidRequestException(field,
                "'" + field + "' must be an ISO-8601 date-time with an offset, like 2026-11-25T18:00:00Z");
    }

    private static void ok(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", JSON).end(body.encode());
    }

    private static void notFound(RoutingContext ctx, String id) {
        Problems.send(ctx, 404, "Not found", "no callback with id '" + id + "'", null);
    }

    private static void unavailable(RoutingContext ctx, String what, Throwable e) {
        log.warn("{} failed: {}", what, e.toString());
        Problems.send(ctx, 503, "Service unavailable", what + " failed: MariaDB or Redis did not answer; retry", null);
    }
}
