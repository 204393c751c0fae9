package io.huibo.routing;

import io.huibo.config.ConfigException;
import io.huibo.config.HuiboConfig;
import io.huibo.domain.Callback;
import io.huibo.domain.Leg;
import java.util.List;
import java.util.Objects;

/**
 * One template per leg from configuration ({@code routing.legA}, {@code routing.legB}): leg A dials
 * {@link Callback#number()}, leg B {@link Callback#destination()}.
 */
public final class StaticRouter implements Router {

    private final DialTemplate legA;
    private final DialTemplate legB;

    public StaticRouter(DialTemplate legA, DialTemplate legB) {
        this.legA = Objects.requireNonNull(legA, "legA");
        this.legB = Objects.requireNonNull(legB, "legB");
    }

    /**
     * From configuration; validates both templates now, so a bad one stops Huibo at startup.
     *
     * @throws ConfigException naming the key and the problem, one line
     */
    public StaticRouter(HuiboConfig.Routing routing) {
        this(template("routing.legA", routing.legA()), template("routing.legB", routing.legB()));
    }

    /** Validates both templates now, so a bad one stops Huibo at startup with one clear line. */
    public static StaticRouter fromConfig(HuiboConfig.Routing routing) {
        return new StaticRouter(template("routing.legA", routing.legA()), template("routing.legB", routing.legB()));
    }

    private static DialTemplate template(String key, String value) {
        try {
            return DialTemplate.parse(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": " + e.getMessage());
        }
    }

    @Override
    public List<DialString> route(Leg leg, Callback callback) {
        return switch (leg) {
            case A -> List.of(legA.expand(callback.number()));
            case B -> List.of(legB.expand(callback.destination()));
        };
    }

    public DialTemplate legA() {
        return legA;
    }

    public DialTemplate legB() {
        return legB;
    }
}
