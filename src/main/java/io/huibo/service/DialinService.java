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
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import io.huibo.config.HuiboConfig;
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
 *
 * <p>The guards of config {@code dialinGuards}: only the access numbers listed are answered
 * ({@link #accessAllowed}); wrong PINs lock a caller ID out for a while, across instances
 * ({@link PinAttempts}; when the count cannot be read the caller is refused, not let through); a stored
 * destination is not replaced by keyed digits unless {@code allowOtherDestination}.
 */
public final class DialinService implements DialinHook {

    private static final Logger LOG = LoggerFactory.getLogger(DialinService.class);
    static final int LIST_LIMIT = 10_000;

    private final Vertx vertx;
    private final DialinStore store;
    private final CallbackService callbacks;
    private final Clock clock;
    private final HuiboConfig.DialinGuards guards;
    private final Set<String> accessNumbers;
    private final PinAttempts attempts;
    private final LongAdder lockouts = new LongAdder();
    private final LongAdder refusedAccess = new LongAdder();

    /** Asked before a registration is stored; null: none. */
    private final io.huibo.guards.Guards tollGuards;

    /** With the default guards, no toll-fraud guards and wrong PINs counted in this process only (tests). */
    public DialinService(Vertx vertx, DialinStore store, CallbackService callbacks, Clock clock) {
        this(vertx, store, callbacks, clock, HuiboConfig.DialinGuards.defaults(),
                new InMemoryPinAttempts(HuiboConfig.DialinGuards.defaults(), clock), null);
    }

    /**
     * @param guards     access numbers and whether a stored destination may be replaced by keyed digits
     * @param attempts   wrong PINs and lockouts, shared by the instances ({@link RedisPinAttempts})
     * @param tollGuards the toll-fraud guards a registration passes, as an API request does (no key: no key
     *                   limits); null: none
     */
    public DialinService(Vertx vertx, DialinStore store, CallbackService callbacks, Clock clock,
                         HuiboConfig.DialinGuards guards, PinAttempts attempts, io.huibo.guards.Guards tollGuards) {
        this.tollGuards = tollGuards;
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.store = Objects.requireNonNull(store, "store");
        this.callbacks = Objects.requireNonNull(callbacks, "callbacks");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.guards = Objects.requireNonNull(guards, "guards");
        this.accessNumbers = Set.copyOf(guards.accessNumbers());
        this.attempts = Objects.requireNonNull(attempts, "attempts");
    }

    /** Callers locked out after too many wrong PINs, since start. */
    public long lockouts() {
        return lockouts.sum();
    }

    /** Dial-ins refused because the number dialed is not an access number, since start. */
    public long refusedAccess() {
        return refusedAccess.sum();
    }

    // ---- the hook

    @Override
    public boolean accessAllowed(String dialed) {
        if (accessNumbers.isEmpty() || (dialed != null && accessNumbers.contains(dialed))) {
            return true;
        }
        refusedAccess.increment();
        LOG.info("dial-in refused: {} is not an access number (dialinGuards.accessNumbers)",
                LogMask.number(printable(dialed)));
        return false;
    }

    @Override
    public Future<DialinResult> call(String callerId) {
        return caller(callerId).compose(c -> {
            if (c.isEmpty()) {
                return refused("unknown-caller", callerId);
            }
            if (c.get().pinHash() != null) {
                // a locked-out caller is not even asked
                return attempts.lockedFor(c.get().number()).compose(locked -> locked.isZero()
                        ? Future.succeededFuture(DialinResult.ask(DialinResult.Kind.PIN))
                        : refused("locked-out", callerId));
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
            return pinOk(c.get(), pin).compose(ok -> switch (ok) {
                case OK -> proceed(c.get(), null);
                case LOCKED -> refused("locked-out", callerId);
                default -> refused("wrong-pin", callerId);
            });
        });
    }

    @Override
    public Future<DialinResult> destination(String callerId, String digits, String pin) {
        PhoneNumber dest = DialinDigits.number(digits);
        return caller(callerId).compose(c -> {
            if (c.isEmpty()) {
                return refused("unknown-caller", callerId);
            }
            // the PIN again: step=destination must not be a way around it (nor around a lockout)
            return pinOk(c.get(), pin).compose(ok -> {
                if (ok == Pin.LOCKED) {
                    return refused("locked-out", callerId);
                }
                if (ok == Pin.WRONG) {
                    return refused("wrong-pin", callerId);
                }
                // the dialplan never asks a caller with a stored destination for one, but anything on the
                // FastAGI allowlist can send step=destination: the stored one holds unless allowed
                if (c.get().destination() != null && !guards.allowOtherDestination()) {
                    return refused("fixed-destination", callerId);
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

    private enum Pin { OK, WRONG, LOCKED }

    /**
     * The PIN checked, unless the caller is locked out: then even the right one is refused (and not
     * checked, so a locked-out caller learns nothing). A wrong one counts towards the lockout.
     */
    private Future<Pin> pinOk(DialinStore.Caller c, String pin) {
        if (c.pinHash() == null) {
            return Future.succeededFuture(Pin.OK);
        }
        return attempts.lockedFor(c.number()).compose(locked -> {
            if (!locked.isZero()) {
                return Future.succeededFuture(Pin.LOCKED);
            }
            Future<Boolean> matches = DialinPins.isValid(pin)
                    ? vertx.executeBlocking(() -> DialinPins.matches(pin, c.pinHash()), false)
                    : Future.succeededFuture(false);
            return matches.compose(ok -> ok
                    ? attempts.succeeded(c.number()).map(Pin.OK)
                    : attempts.failed(c.number()).map(f -> {
                        if (f.lockedNow()) {
                            lockouts.increment();
                            LOG.warn("dial-in: caller {} locked out for {} after {} wrong PINs within {}",
                                    LogMask.number(c.number()), f.lockedFor(), f.failures(), guards.pinWindow());
                        }
                        return Pin.WRONG;
                    }));
        });
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
        var refused = tollGuards == null ? java.util.Optional.<io.huibo.guards.Guards.Refused>empty()
                : tollGuards.rules(req, io.huibo.guards.Guards.KeyRules.NONE);
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
        if (tollGuards == null) {
            return Future.succeededFuture();
        }
        return tollGuards.limits(req, null).compose(t -> t.isEmpty() ? Future.<Void>succeededFuture()
                : Future.failedFuture(io.huibo.guards.GuardRefusedException.of(t.get())));
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
                    if (io.huibo.contacts.DoNotCallException.in(ar.cause()) != null) {
                        return refused("do-not-call", c.number().value());
                    }
                    io.huibo.guards.GuardRefusedException guard = io.huibo.guards.GuardRefusedException.in(ar.cause());
                    if (guard != null) {
                        return refused("guard-" + guard.guard(), c.number().value());
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
