package io.huibo.domain;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * One dial of a callback on one PBX node. {@code channelId} is the deterministic Uniqueid given to
 * Asterisk in the Originate, so the attempt can be found again on the node after a crash.
 * Fields about the end are null while the attempt is in progress.
 */
public record Attempt(
        String callbackId,
        int number,
        String nodeId,
        String channelId,
        Instant startedAt,
        Instant answeredAt,
        Instant endedAt,
        Outcome outcome,
        Leg failedLeg,
        Integer hangupCause,
        String detail) {

    private static final DateTimeFormatter MEMO_DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);

    public static String channelIdFor(String callbackId, int attempt) {
        return "hb-" + callbackId + "-" + attempt;
    }

    public static Attempt started(String callbackId, int number, String nodeId, Instant at) {
        return new Attempt(callbackId, number, nodeId, channelIdFor(callbackId, number), at,
                null, null, null, null, null, null);
    }

    /**
     * Where the node's dialplan remembers how this attempt went ({@code HUIBO_MEMO}):
     * {@code <yyyyMMdd of the start, UTC>/<callbackId>-<number>}. The day groups the memory so a node
     * can forget old days whole.
     */
    public String memoKey() {
        return memoKeyFor(callbackId, number, startedAt);
    }

    public static String memoKeyFor(String callbackId, int number, Instant startedAt) {
        return MEMO_DAY.format(startedAt) + "/" + callbackId + "-" + number;
    }

    /** The day part of memo keys of attempts started at {@code at} ({@code yyyyMMdd}, UTC). */
    public static String memoDay(Instant at) {
        return MEMO_DAY.format(at);
    }

    public boolean inProgress() {
        return outcome == null;
    }

    public Attempt answered(Instant at) {
        return new Attempt(callbackId, number, nodeId, channelId, startedAt, at, endedAt, outcome,
                failedLeg, hangupCause, detail);
    }

    public Attempt ended(Instant at, Outcome outcome, Leg failedLeg, Integer hangupCause, String detail) {
        return new Attempt(callbackId, number, nodeId, channelId, startedAt, answeredAt, at, outcome,
                failedLeg, hangupCause, detail);
    }
}
