package io.huibo.service;

import io.huibo.config.HuiboConfig;
import io.huibo.domain.PhoneNumber;
import io.huibo.redis.RedisScripts;
import io.lettuce.core.ScriptOutputType;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;

/**
 * {@link PinAttempts} in Redis, so a caller locked out on one instance is locked out on all: per caller
 * ID a failure counter that expires {@code pinWindow} after the first failure and a lockout key that
 * expires after {@code lockout}; each step is one Lua script (atomic, Redis time). Keys under the
 * queue's hash tag: {@code dialin:pinfail:<number>}, {@code dialin:pinlock:<number>}.
 */
public final class RedisPinAttempts implements PinAttempts {

    private final RedisScripts redis;
    private final RedisScripts.Script script;
    private final List<String> args;

    /** Loads the script (blocking: call it at start). */
    public RedisPinAttempts(RedisScripts redis, HuiboConfig.DialinGuards guards) {
        this.redis = redis;
        this.script = redis.script(RedisPinAttempts.class, "pinAttempt");
        this.args = List.of(Integer.toString(guards.maxWrongPins()), Long.toString(guards.pinWindow().toMillis()),
                Long.toString(guards.lockout().toMillis()));
    }

    @Override
    public Future<Duration> lockedFor(PhoneNumber caller) {
        return run("check", caller).map(Failure::lockedFor);
    }

    @Override
    public Future<Failure> failed(PhoneNumber caller) {
        return run("fail", caller);
    }

    @Override
    public Future<Void> succeeded(PhoneNumber caller) {
        return run("ok", caller).mapEmpty();
    }

    private Future<Failure> run(String mode, PhoneNumber caller) {
        // a PhoneNumber is digits with an optional +: safe in a key
        List<String> keys = List.of(redis.key("dialin:pinfail:" + caller.value()),
                redis.key("dialin:pinlock:" + caller.value()));
        List<String> argv = List.of(mode, args.get(0), args.get(1), args.get(2));
        return redis.<List<Object>>run(script, ScriptOutputType.MULTI, keys, argv).map(r ->
                new Failure((int) RedisScripts.num(r.get(0)), Duration.ofMillis(RedisScripts.num(r.get(1))),
                        RedisScripts.num(r.get(2)) == 1L));
    }
}
