package io.huibo.routing;

/** One way to reach a number: the trunk it uses and the dial string for it. */
public record RouteChoice(String trunkId, DialString dial) {
}
