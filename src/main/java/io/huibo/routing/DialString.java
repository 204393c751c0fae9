package io.huibo.routing;

import java.util.Objects;

/**
 * A dial string ready for {@code Dial()}, e.g. {@code PJSIP/+4930123456@trunk}. The only way to get
 * one is {@link DialTemplate#expand(io.huibo.domain.PhoneNumber)}: a validated template with a
 * validated number, so neither a caller nor the config can smuggle {@code &}, {@code ,} or a line
 * break into the dialplan.
 */
public final class DialString {

    private final String value;

    DialString(String value) {
        this.value = Objects.requireNonNull(value);
    }

    public String value() {
        return value;
    }

    @Override
    public String toString() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DialString d && d.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
