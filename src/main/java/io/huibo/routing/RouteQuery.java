package io.huibo.routing;

import io.huibo.domain.Leg;
import io.huibo.domain.PhoneNumber;
import java.time.Instant;

/**
 * One question to the routing: how to reach {@code number} on {@code leg} of attempt {@code attempt}
 * of callback {@code callbackId}, at {@code at}. The callback and attempt let trunk slots taken for
 * this attempt be released when it ends.
 */
public record RouteQuery(String callbackId, int attempt, Leg leg, PhoneNumber number, Instant at) {
}
