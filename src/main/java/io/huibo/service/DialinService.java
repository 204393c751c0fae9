package io.huibo.service;

import io.huibo.logging.CallMdc;
import io.huibo.logging.LogMask;
import io.huibo.domain.CallFlow;
import io.huibo.domain.Callback;
import io.huibo.domain.PhoneNumber;
import io.huibo.store.DialinStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dial-in hook: who may ask for a callback by calling the access number, and registering it.
 *
 * <p>The caller ID is the identity (plus the PIN when one is set). A registered callback calls the
 * caller back, customer-first, to the stored destination or, without one, to the digits keyed in
 * now ({@code collect_now}) or when called back. One caller never has two pending callbacks: a
 * second dial-in while one is queued or dialing answers with the first (see
 * {@link DialinStore#registerOnce}), so nobody is called again and again by calling again and again.
 */
public final class DialinService implements DialinHook {

    private static final Logger LOG = LoggerFactory.getLogger(DialinService.class);
    static final int LIST_LIMIT = 10_000;

    private final Vertx vertx;
    private final DialinStore store;
    private final CallbackService callbacks;
    private final Clock clock;

    /** Asked before a registration is stored; null: none. */
    private final io.huibo.guards.Guards guards;

    public DialinService(Vertx vertx, DialinStore store, CallbackService callbacks, Clock clock) {
        this(vertx, store, callbacks, clock, null);
    }

    /** @param guards the toll-fraud guards a registration passes, as an API request does (no key: no key limits) */
    public DialinService(Vertx vertx, DialinStore store, CallbackService callbacks, Clock clock,
                         io.huibo.guards.Guards guards) {
        this.guards = guards;
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.store = Objects.requireNonNull(store, "store");
        this.callbacks = Objects.requireNonNull(callbacks, "callbacks");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    // ---- the hook

    @Override
    public Future<DialinResult> call(String callerId) {
        return caller(callerId).compose(c -> {
            if (c.isEmpty()) {
                return refused("unknown-caller", callerId);
            }
            if (c.get().pinHash() != null) {
                return Future.succeededFuture(DialinResult.ask(DialinResult.Kind.PIN));
            }
            return proceed(c.get(), null);
        });
    }

    @Override
    public Future<DialinResult> pin(String callerId, String pin) {
        return caller(callerId).compose(c -> {
            if (c.isEmpty()) {
                return refused("unknown-caller", callerId);
            }
            return pinOk(c.get(), pin).compose(ok -> ok ? proceed(c.get(), null) : refused("wrong-pin", callerId));
        });
    }

    @Override
    public Future<DialinResult> destination(String callerId, String digits, String pin) {
        PhoneNumber dest = DialinDigits.number(digits);
        return caller(callerId).compose(c -> {
            if (c.isEmpty()) {
                return refused("unknown-caller", callerId);
            }
            // the PIN again: step=destination must not be a way around it
            return pinOk(c.get(), pin).compose(ok -> {
                if (!ok) {
                    return refused("wrong-pin", callerId);
                }
                if (dest == null) {
                    return refused("bad-destination", callerId);
                }
                return register(c.get(), dest);
            });
        });
    }

    /** A registered, enabled caller by the caller ID as the channel has it; empty for anything else. */
    private Future<Optional<DialinStore.Caller>> caller(String callerId) {
        if (!PhoneNumber.isValid(callerId)) {
            return Future.succeededFuture(Optional.empty());
        }
        return store.find(PhoneNumber.of(callerId)).map(c -> c.filter(DialinStore.Caller::enabled));
    }

    private Future<Boolean> pinOk(DialinStore.Caller c, String pin) {
        if (c.pinHash() == null) {
            return Future.succeededFuture(true);
        }
        if (!DialinPins.isValid(pin)) {
            return Future.succeededFuture(false);
        }
        return vertx.executeBlocking(() -> DialinPins.matches(pin, c.pinHash()), false);
    }

    private Future<DialinResult> proceed(DialinStore.Caller c, PhoneNumber keyed) {
        PhoneNumber dest = keyed != null ? keyed : c.destination();
        if (dest == null && c.collectNow()) {
            return Future.succeededFuture(DialinResult.ask(DialinResult.Kind.COLLECT));
        }
        return register(c, dest);
    }

    /** @param destination null: the caller keys it in when called back */
    private Future<DialinResult> register(DialinStore.Caller c, PhoneNumber destination) {
        NewCallback req = new NewCallback(c.number(), destination, null, Callback.DEFAULT_PRIORITY,
                Callback.DEFAULT_MAX_ATTEMPTS, null, Map.of("source", "dialin"), null, CallFlow.CUSTOMER_FIRST, false);
        if (guards == null) {
            return save(c, req);
        }
        var refused = guards.rules(req, io.huibo.guards.Guards.KeyRules.NONE);
        if (refused.isPresent()) {
            return refused("guard-" + refused.get().refusal().guard(), c.number().value());
        }
        return save(c, req);
    }

    /**
     * The per-number limits, counted only when a new callback is made (a caller calling again while one
     * is pending gets that one, as without limits); a reached limit fails with the guard's refusal, and
     * Redis unreachable fails too: never "allowed".
     */
    private Future<Void> limits(NewCallback req) {
        if (guards == null) {
            return Future.succeededFuture();
        }
        return guards.limits(req, null).compose(t -> t.isEmpty() ? Future.<Void>succeededFuture()
                : Future.failedFuture(io.huibo.guards.GuardRefusedException.of(t.get())));
    }

    private static io.huibo.guards.GuardRefusedException guardRefusal(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof io.huibo.guards.GuardRefusedException g) {
                return g;
            }
        }
        return null;
    }

    private Future<DialinResult> save(DialinStore.Caller c, NewCallback req) {
        return store.registerOnce(c.number(), () -> limits(req).compose(v -> callbacks.submit(req))
                        .map(s -> s.callback().id()))
                // the pending one may be committed but missing from Redis (its registration failed
                // at the enqueue, and the caller calls again): index it, or the caller waits forever
                .compose(r -> r.isPresent() && r.get().existing()
                        ? callbacks.reindex(r.get().callbackId()).map(added -> r)
                        : Future.succeededFuture(r))
                .transform(ar -> {
                    if (ar.failed() && guardRefusal(ar.cause()) != null) {
                        return refused("guard-" + guardRefusal(ar.cause()).guard(), c.number().value());
                    }
                    if (ar.failed()) {
                        LOG.warn("dial-in: registering a callback to {} failed: {}", LogMask.number(c.number()), ar.cause().toString());
                        return Future.succeededFuture(DialinResult.refused("register-failed"));
                    }
                    if (ar.result().isEmpty()) {
                        return refused("unknown-caller", c.number().value());
                    }
                    DialinStore.Registration r = ar.result().get();
                    CallMdc.log(r.callbackId(), null, null, null, () -> LOG.info("dial-in: {} -> callback {}{}",
                            LogMask.number(c.number()), r.callbackId(), r.existing() ? " (already pending)" : ""));
                    return Future.succeededFuture(DialinResult.queued(r.callbackId()));
                });
    }

    private static Future<DialinResult> refused(String reason, String callerId) {
        LOG.info("dial-in refused: {} (caller ID {})", reason, LogMask.number(printable(callerId)));
        return Future.succeededFuture(DialinResult.refused(reason));
    }

    private static String printable(String s) {
        if (s == null) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 32; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return sb.toString();
    }

    // ---- administration (API, CLI)

    /**
     * Adds or replaces a caller.
     *
     * @param pin null for no PIN; otherwise 4-8 digits, stored hashed
     * @throws IllegalArgumentException (in the future) for a PIN that is not 4-8 digits
     */
    public Future<DialinStore.Caller> put(PhoneNumber number, String pin, PhoneNumber destination, boolean collectNow,
                                          boolean enabled) {
        if (pin != null && !DialinPins.isValid(pin)) {
            return Future.failedFuture(new IllegalArgumentException("a PIN is 4 to 8 digits"));
        }
        Future<String> hash = pin == null ? Future.succeededFuture(null)
                : vertx.executeBlocking(() -> DialinPins.hash(pin), false);
        return hash.compose(h -> {
            DialinStore.Caller c = new DialinStore.Caller(number, h, destination, collectNow, enabled, clock.instant());
            return store.put(c).compose(v -> store.find(number)).map(found -> found.orElse(c));
        });
    }

    public Future<Optional<DialinStore.Caller>> find(PhoneNumber number) {
        return store.find(number);
    }

    public Future<List<DialinStore.Caller>> list() {
        return store.list(LIST_LIMIT);
    }

    public Future<Boolean> remove(PhoneNumber number) {
        return store.remove(number);
    }
}
