package io.huibo.policy;

import com.google.i18n.phonenumbers.PhoneNumberUtil;

/**
 * libphonenumber reads each region's metadata from a jar resource the first time a number of that
 * region is parsed or typed. Reading them all once at start keeps that file I/O off the event loops that
 * check numbers later (the guards at request time, the quiet hours before each attempt).
 */
public final class NumberMetadata {
    private static volatile boolean loaded;

    private NumberMetadata() {
    }

    /** Idempotent; call it where the checking component is built, not on an event loop. */
    public static void loadAll() {
        if (loaded) {
            return;
        }
        PhoneNumberUtil util = PhoneNumberUtil.getInstance();
        for (String region : util.getSupportedRegions()) {
            util.getExampleNumber(region);
        }
        for (int code : util.getSupportedGlobalNetworkCallingCodes()) {
            util.getExampleNumberForNonGeoEntity(code);
        }
        loaded = true;
    }
}
