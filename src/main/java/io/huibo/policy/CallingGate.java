package io.huibo.policy;

import io.huibo.dispatch.DialGate;
import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.Leg;
import io.huibo.domain.PhoneNumber;
import io.vertx.core.Future;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/**
 * The calling policy asked before each attempt: a callback past its window ends {@code expired}; one
 * due in its callee's quiet hours waits (in the queue, due then) for the next allowed minute, or ends
 * {@code expired} when that minute is past its window. Pure and in memory: no I/O on the event loop.
 */
public final class CallingGate implements DialGate {
    private final Profiles profiles;
    private final CalleeZones zones;

    public CallingGate(Profiles profiles, CalleeZones zones) {
        this.profiles = profiles;
        this.zones = zones;
    }

    @Override
    public Future<Verdict> check(Callback cb, Instant now) {
        return Future.succeededFuture(verdict(cb, now));
    }

    public Verdict verdict(Callback cb, Instant now) {
        RetryProfile profile = profiles.of(cb.calling().profile());
        CallingWindow window = CallingWindow.of(cb, profile);
        if (window.over(now)) {
            return new Verdict.End(CallState.EXPIRED, "not dialable in its window: past " + window.why());
        }
        QuietHours quiet = profile.quietHours();
        if (quiet.none()) {
            return DIAL;
        }
        List<ZoneId> calleeZones = zonesOf(cb);
        Optional<Instant> next = quiet.next(now, calleeZones);
        if (next.isEmpty()) {
            return new Verdict.End(CallState.EXPIRED, "profile " + profile.name() + " allows no time to call "
                    + calleeZones);
        }
        if (!next.get().isAfter(now)) {
            return DIAL;
        }
        if (window.over(next.get())) {
            return new Verdict.End(CallState.EXPIRED, "quiet hours in " + calleeZones + " until " + next.get()
                    + ", past " + window.why());
        }
        return new Verdict.Wait(next.get(), "quiet hours of profile " + profile.name() + " in " + calleeZones);
    }

    /** The request's zone, else the leg-A number's (all of them, most restrictive); empty: unknown. */
    public List<ZoneId> zonesOf(Callback cb) {
        String tz = cb.calling().timeZone();
        if (tz != null && CalleeZones.validZone(tz)) {
            return List.of(ZoneId.of(tz));
        }
        PhoneNumber a = cb.numberFor(Leg.A);
        return zones.zones(a != null ? a : cb.number());
    }
}
